package dev.e3j.processor;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import dev.e3j.processor.diagnostics.Message;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Finds e3j annotations on types that annotation processors never see: local types (declared in a method, a
 * constructor or an initializer) and types nested in them or in anonymous classes. javac hands a processor only the
 * types it can name from outside, so without this check such a spec would silently generate nothing. Each one is an
 * {@code [e3j.target]} error on its annotation.
 *
 * <p>The annotations are matched by name in the syntax tree, since javac has not attributed method bodies yet when
 * processors run: a qualified name, or a simple name that the compilation unit imports (single-type or on demand).
 * Needs javac's tree API; under another compiler (or a wrapped environment) the check is skipped.
 */
final class LocalSpecs {

    private static final String PACKAGE = "dev.e3j.annotations";

    private final Trees trees;
    /** Compilation units already scanned; units are not shared across rounds, so identity is enough. */
    private final Set<CompilationUnitTree> scanned = Collections.newSetFromMap(new IdentityHashMap<>());

    private LocalSpecs(Trees trees) {
        this.trees = trees;
    }

    /** The check for {@code env}, or empty when javac's tree API is not available there. */
    static Optional<LocalSpecs> of(ProcessingEnvironment env) {
        try {
            return Optional.of(new LocalSpecs(Trees.instance(env)));
        } catch (IllegalArgumentException notJavac) {
            return Optional.empty();
        }
    }

    /** Reports every e3j annotation on a local type in the compilation unit of {@code root}, once per unit. */
    void check(Element root) {
        TreePath path = trees.getPath(root);
        if (path == null || !scanned.add(path.getCompilationUnit())) {
            return;
        }
        CompilationUnitTree unit = path.getCompilationUnit();
        new TreePathScanner<Void, Void>() {
            /** How many local or anonymous types enclose the current one (itself included). */
            private int localDepth;

            @Override
            public Void visitClass(ClassTree node, Void unused) {
                Tree parent = getCurrentPath().getParentPath().getLeaf();
                boolean local = !(parent instanceof ClassTree) && !(parent instanceof CompilationUnitTree);
                if (local) {
                    localDepth++;
                }
                try {
                    if (localDepth > 0) {
                        for (AnnotationTree annotation : node.getModifiers().getAnnotations()) {
                            kernelAnnotation(unit, annotation).ifPresent(name -> trees.printMessage(
                                    Diagnostic.Kind.ERROR, Message.LOCAL_TARGET.format(name,
                                            node.getSimpleName().isEmpty() ? "a type" : node.getSimpleName()),
                                    annotation, unit));
                        }
                    }
                    return super.visitClass(node, unused);
                } finally {
                    if (local) {
                        localDepth--;
                    }
                }
            }
        }.scan(unit, null);
    }

    /** The simple name of the e3j kernel annotation {@code annotation} names in {@code unit}, if it names one. */
    private static Optional<String> kernelAnnotation(CompilationUnitTree unit, AnnotationTree annotation) {
        String written = annotation.getAnnotationType().toString();
        for (KernelAnnotation kernel : KernelAnnotation.values()) {
            String qualified = kernel.qualifiedName();
            String simple = kernel.simpleName();
            if (written.equals(qualified) || written.equals(simple) && imports(unit, qualified)) {
                return Optional.of(simple);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code qualified} is visible by its simple name in {@code unit}. */
    private static boolean imports(CompilationUnitTree unit, String qualified) {
        if (unit.getPackageName() != null && unit.getPackageName().toString().equals(PACKAGE)) {
            return true;
        }
        for (ImportTree anImport : unit.getImports()) {
            String name = anImport.getQualifiedIdentifier().toString();
            if (!anImport.isStatic() && (name.equals(qualified) || name.equals(PACKAGE + ".*"))) {
                return true;
            }
        }
        return false;
    }
}
