// The project built with the README's snippet; now check that its pom holds that snippet as the README has it
// today, and that the generated kernel computes the right number.

String snippet(File readme) {
    def text = readme.getText('UTF-8')
    int section = text.indexOf('### Use it from Maven')
    assert section >= 0: "README.md has no section 'Use it from Maven'"
    int start = text.indexOf('```xml\n', section)
    assert start >= 0: "no xml block under 'Use it from Maven'"
    start += '```xml\n'.length()
    return text.substring(start, text.indexOf('```', start))
}

String normalized(String xml) {
    return xml.replaceAll(/\s+/, ' ').replaceAll(/> </, '><').trim()
}

def pom = normalized(new File(basedir, 'pom.xml').getText('UTF-8'))
def readmeSnippet = normalized(snippet(new File(readme)))
assert pom.contains(readmeSnippet): "src/it/maven-readme/pom.xml (its version filtered) no longer holds the README's " +
        "Maven snippet:\n" + readmeSnippet

def runtimeJar = new File(localRepositoryPath,
        "dev/e3j/e3j-runtime/${projectVersion}/e3j-runtime-${projectVersion}.jar")
def java = new File(System.getProperty('java.home'), 'bin/java').path
def process = [java, '-cp', new File(basedir, 'target/classes').path + File.pathSeparator + runtimeJar.path,
               'demo.Dot'].execute()
def output = process.text
process.waitFor()
assert process.exitValue() == 0: output + process.err.text
assert output.contains('= 18.4752086140680'): output
return true
