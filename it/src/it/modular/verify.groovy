// The named module compiled with -Xlint:all -Werror; now run it on the module path, with the runtime as a module.

def classes = new File(basedir, 'target/classes')
assert new File(classes, 'module-info.class').isFile()
def runtimeJar = new File(localRepositoryPath,
        "dev/e3j/e3j-runtime/${projectVersion}/e3j-runtime-${projectVersion}.jar")
def java = new File(System.getProperty('java.home'), 'bin/java').path
def process = [java, '--module-path', classes.path + File.pathSeparator + runtimeJar.path,
               '--module', 'demo.modular/demo.modular.Pipeline'].execute()
def output = process.text
process.waitFor()
assert process.exitValue() == 0: output + process.err.text
assert output.contains('invariant = 5.196152422706'): output
return true
