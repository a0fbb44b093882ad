package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.processor.math.ReducedTensorProducts;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.ReducedTensorProductsModel;
import dev.e3j.processor.model.ReducedTensorProductsModel.Entry;
import dev.e3j.runtime.Irreps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * Writes a {@code CartesianTensorKernel}: the change of basis as its non-zero entries (row, column, and a signed
 * index into the distinct magnitudes, each rounded once from {@value ReducedTensorProductsModel#MAGNITUDE_DIGITS}
 * digits and written as the shortest decimal that reads back as that double), held in string constants decoded once
 * when the class loads, so that no method grows with the tensor; {@code fromCartesian} and {@code toCartesian} loop
 * over the entries.
 */
public final class ReducedTensorProductsWriter {

    /** Characters of one string literal, well under the class file's 65535-byte limit on a constant. */
    private static final int CHUNK = 30_000;

    private final ReducedTensorProductsModel model;
    private final KernelChecks checks;
    private final int dim;
    private final int size;

    private ReducedTensorProductsWriter(ReducedTensorProductsModel model, ClassName impl) {
        this.model = model;
        this.checks = new KernelChecks(impl, "batch");
        this.dim = model.products().irrepsOut().dim();
        this.size = Arrays.stream(model.products().shape()).reduce(1, (a, b) -> a * b);
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(ReducedTensorProductsModel model, ClassName spec, ClassName impl) {
        return new ReducedTensorProductsWriter(model, impl).type(spec, impl);
    }

    private TypeSpec type(ClassName spec, ClassName impl) {
        ReducedTensorProducts products = model.products();
        TypeSpec.Builder type = TypeSpec.classBuilder(impl)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc("e3nn 0.5.4's {@code o3.ReducedTensorProducts($S, $L)} change of basis, as declared by"
                                + " {@link $T}: irreps {@code $L}, tensors of shape {@code $L}$L.\n\n<p>Computed by"
                                + " e3nn's algorithm in $L-digit arithmetic from the exact Wigner 3j symbols and"
                                + " rounded once (see the audit file for every entry).\n",
                        model.formula(), irrepsArguments(), spec, products.irrepsOut(),
                        Arrays.toString(products.shape()), CgConventions.suffix(products.cgConvention()),
                        ReducedTensorProducts.DIGITS)
                .addField(constant(String.class, "FORMULA", CodeBlock.of("$S", model.formula())))
                .addField(constant(Irreps.class, "IRREPS_OUT",
                        CodeBlock.of("$T.parse($S)", Irreps.class, products.irrepsOut().toString())))
                .addField(constant(int[].class, "SHAPE", CodeBlock.of("{$L}",
                        String.join(", ", Arrays.stream(products.shape()).mapToObj(Integer::toString).toList()))))
                .addField(constant(int.class, "DIM", CodeBlock.of("$L", dim)))
                .addField(constant(int.class, "SIZE", CodeBlock.of("$L", size)));
        List<String> magnitudes = model.magnitudes().stream()
                .map(m -> Double.toString(Double.parseDouble(m.toString()))).toList();
        type.addField(FieldSpec.builder(double[].class, "MAGNITUDES", Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("The distinct magnitudes of the entries, each rounded once from $L digits (listed in the"
                        + " audit file).\n", ReducedTensorProductsModel.MAGNITUDE_DIGITS)
                .initializer("doubles($L)", literals(magnitudes))
                .build())
                .addField(table(int[].class, "ROWS", "ints", "The row of each non-zero entry.",
                        e -> Integer.toString(e.row())))
                .addField(table(int[].class, "COLUMNS", "ints",
                        "The column (row-major tensor index) of each non-zero entry.", e -> Integer.toString(e.column())))
                .addField(table(double[].class, "VALUES", "values",
                        "The value of each non-zero entry: a sign and an index into MAGNITUDES.",
                        e -> (e.sign() > 0 ? "+" : "-") + e.magnitude()));
        // Explicit, so that -Xlint:all does not warn about a default constructor in a module's exported package.
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC).build())
                .addMethod(KernelSurface.getter("formula", String.class, "FORMULA"))
                .addMethod(KernelSurface.getter("irrepsOut", Irreps.class, "IRREPS_OUT"))
                .addMethod(KernelSurface.getter("shape", int[].class, "SHAPE.clone()"))
                .addMethod(changeOfBasis())
                .addMethod(fromCartesian())
                .addMethod(toCartesian())
                .addMethod(decodeDoubles())
                .addMethod(decodeInts())
                .addMethod(decodeValues());
        return type.addMethods(checks.methods(List.of(ArrayTypeName.of(TypeName.DOUBLE)))).build();
    }

    private String irrepsArguments() {
        List<String> arguments = new ArrayList<>();
        String indices = model.formula().split("=", -1)[0];
        for (int i = 0; i < indices.length(); i++) {
            arguments.add(indices.charAt(i) + "=\"" + model.products().irrepsIn().get(i) + "\"");
        }
        return String.join(", ", arguments);
    }

    private static FieldSpec constant(Class<?> type, String name, CodeBlock value) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(value)
                .build();
    }

    /** A field decoded from space-separated tokens, one per entry. */
    private FieldSpec table(Class<?> type, String name, String decoder, String doc, Function<Entry, String> token) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer("$L($L)", decoder, literals(model.entries().stream().map(token).toList()))
                .build();
    }

    /** {@code tokens} space-separated, as string literal arguments of at most {@link #CHUNK} characters each. */
    private static CodeBlock literals(List<String> tokens) {
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        for (String text : tokens) {
            if (chunk.length() + text.length() + 1 > CHUNK) {
                chunks.add(chunk.toString());
                chunk.setLength(0);
            }
            chunk.append(chunk.length() == 0 ? "" : " ").append(text);
        }
        chunks.add(chunk.toString());
        CodeBlock.Builder arguments = CodeBlock.builder();
        for (int c = 0; c < chunks.size(); c++) {
            arguments.add(c == 0 ? "$S" : ",\n$S", chunks.get(c));
        }
        return arguments.build();
    }

    private static MethodSpec changeOfBasis() {
        return MethodSpec.methodBuilder("changeOfBasis")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(double[].class)
                .addStatement("double[] q = new double[DIM * SIZE]")
                .beginControlFlow("for (int e = 0; e < VALUES.length; e++)")
                .addStatement("q[ROWS[e] * SIZE + COLUMNS[e]] = VALUES[e]")
                .endControlFlow()
                .addStatement("return q")
                .build();
    }

    private MethodSpec fromCartesian() {
        String method = "fromCartesian";
        return MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "batch")
                .addParameter(double[].class, "cartesian")
                .addParameter(double[].class, "irreps")
                .addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "cartesian", "SIZE"))
                .addCode(checks.perSample(method, "irreps", "DIM"))
                .addCode(checks.distinct(method, List.of("irreps"), List.of("cartesian")))
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int in = b * SIZE")
                .addStatement("int out = b * DIM")
                .addStatement("$T.fill(irreps, out, out + DIM, 0.0)", Arrays.class)
                .beginControlFlow("for (int e = 0; e < VALUES.length; e++)")
                .addStatement("irreps[out + ROWS[e]] += VALUES[e] * cartesian[in + COLUMNS[e]]")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec toCartesian() {
        String method = "toCartesian";
        return MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "batch")
                .addParameter(double[].class, "irreps")
                .addParameter(double[].class, "cartesian")
                .addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "irreps", "DIM"))
                .addCode(checks.perSample(method, "cartesian", "SIZE"))
                .addCode(checks.distinct(method, List.of("cartesian"), List.of("irreps")))
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int in = b * DIM")
                .addStatement("int out = b * SIZE")
                .addStatement("$T.fill(cartesian, out, out + SIZE, 0.0)", Arrays.class)
                .beginControlFlow("for (int e = 0; e < VALUES.length; e++)")
                .addStatement("cartesian[out + COLUMNS[e]] += VALUES[e] * irreps[in + ROWS[e]]")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private static MethodSpec decodeDoubles() {
        return MethodSpec.methodBuilder("doubles")
                .addJavadoc("The doubles of space-separated {@code chunks}, in order.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double[].class)
                .addParameter(String[].class, "chunks")
                .varargs()
                .addStatement("return $T.stream(chunks).flatMap(c -> $T.stream(c.split($S)))"
                        + ".mapToDouble(Double::parseDouble).toArray()", Arrays.class, Arrays.class, " ")
                .build();
    }

    private static MethodSpec decodeInts() {
        return MethodSpec.methodBuilder("ints")
                .addJavadoc("The integers of space-separated {@code chunks}, in order.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int[].class)
                .addParameter(String[].class, "chunks")
                .varargs()
                .addStatement("return $T.stream(chunks).flatMap(c -> $T.stream(c.split($S)))"
                        + ".mapToInt(Integer::parseInt).toArray()", Arrays.class, Arrays.class, " ")
                .build();
    }

    private static MethodSpec decodeValues() {
        return MethodSpec.methodBuilder("values")
                .addJavadoc("The entries {@code +m} / {@code -m} of space-separated {@code chunks}:"
                        + " {@code ±MAGNITUDES[m]}.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double[].class)
                .addParameter(String[].class, "chunks")
                .varargs()
                .addStatement("return $T.stream(chunks).flatMap(c -> $T.stream(c.split($S)))"
                        + ".mapToDouble(t -> (t.charAt(0) == '-' ? -1 : 1) * MAGNITUDES[Integer.parseInt(t.substring(1))])"
                        + ".toArray()", Arrays.class, Arrays.class, " ")
                .build();
    }
}
