package dev.e3j.processor.writer;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Raise;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import dev.e3j.processor.plan.MethodPacker;
import dev.e3j.processor.plan.SphericalHarmonicsPlan;
import dev.e3j.runtime.BatchBlocks;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The {@code doubleBackward} of a generated {@code SphericalHarmonicsKernel}: with {@code Y_k = N_k P_k(u)}, {@code u}
 * the (normalized) point, {@code w_k = N_k gradOut_k} and {@code v = Du ggXyz} the cotangent carried through the
 * normalization ({@code Du = (I - u u^T) / |x|} above the floor, {@code I / eps} below, {@code I} without it):
 * <ul>
 * <li>{@code gGradOut_k = N_k grad P_k . v}, the directional derivative;</li>
 * <li>{@code gXyz = Du (H v) + d(G . Du ggXyz)/dx} with {@code G = sum_k w_k grad P_k} and
 * {@code H = sum_k w_k hess P_k}; the second term, from the normalization's own curvature, is
 * {@code -(a G + b gg + (c - 3 a b) u) / |x|^2} with {@code a = gg . u}, {@code b = G . u}, {@code c = G . gg}.</li>
 * </ul>
 * The derivatives are exact through the degrees below ({@link SphericalHarmonicsModel#loweredGradient}):
 * {@code dP^l_k/da = sum_i c^l[a][k][i] P^{l-1}_i} and {@code d^2 P^l_k/da db = sum_ij c^l[a][k][i] c^{l-1}[b][i][j]
 * P^{l-2}_j}, so the Hessian contraction is {@code (H v)_b = sum_j P^{l-2}_j sum_i W_i c^{l-1}[b][i][j]} with
 * {@code W_i = sum_ak v_a c^l[a][k][i] w_k}: only the values {@code P^0 .. P^{lmax-1}} (e3nn's recursion over the
 * degrees, exact constants rounded once) and exact rationals. One point at a time; the statements are packed into
 * methods under {@link SphericalHarmonicsPlan#BYTECODE_BUDGET} ({@link #STATEMENTS}), called in order, so no method
 * nears HotSpot's 8000-byte limit.
 */
final class SphericalHarmonicsDoubleBackward {

    /** The statements packed into methods of at most {@link SphericalHarmonicsPlan#BYTECODE_BUDGET} estimated bytes. */
    private static final MethodPacker STATEMENTS = MethodPacker.ofSize(SphericalHarmonicsPlan.BYTECODE_BUDGET);
    /** torch.nn.functional.normalize's floor on the norm. */
    private static final String NORM_FLOOR = "1e-12";
    /** Slots of the per-point scratch {@code point}: u (3), v (3), G (3), H v (3). */
    private static final int POINT_SLOTS = 12;
    private static final int V = 3;
    private static final int GRADIENT = 6;
    private static final int HESSIAN = 9;
    private static final String[] DIRECTION = {"vx", "vy", "vz"};

    private final SphericalHarmonicsModel model;
    private final KernelChecks checks;
    private final int dim;
    private final int lmax;

    /** One statement group and its estimated bytecode. */
    private record Piece(CodeBlock code, int size) {
    }

    SphericalHarmonicsDoubleBackward(SphericalHarmonicsModel model, KernelChecks checks) {
        this.model = model;
        this.checks = checks;
        this.dim = model.dim();
        this.lmax = model.degrees().get(model.degrees().size() - 1).l();
    }

    /** The public {@code doubleBackward} and its private helpers for arithmetic {@code t}. */
    List<MethodSpec> methods(NumberType t) {
        String valuesParameters = "point, values";
        String termsParameters = "point, values, lowered, gradOut, o, gGradOut";
        List<MethodSpec> methods = new ArrayList<>();
        CodeBlock valueCalls = pack("secondOrderValues", valuesParameters, valuePieces(t), t, methods);
        CodeBlock termCalls = pack("secondOrderTerms", termsParameters, termPieces(t), t, methods);
        methods.add(0, block(t, valueCalls, termCalls));
        methods.add(0, publicMethod(t));
        return methods;
    }

    private MethodSpec publicMethod(NumberType t) {
        String method = "doubleBackward";
        MethodSpec.Builder code = MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "n");
        for (String name : List.of("xyz", "gradOut", "ggXyz", "gXyz", "gGradOut")) {
            code.addParameter(t.arrayType(), name);
        }
        return code.addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "xyz", 3))
                .addCode(checks.perSample(method, "gradOut", dim))
                .addCode(optional("ggXyz", checks.perSample(method, "ggXyz", 3)))
                .addCode(optional("gXyz", checks.perSample(method, "gXyz", 3)))
                .addCode(optional("gGradOut", checks.perSample(method, "gGradOut", dim)))
                .addCode(checks.distinct(method, List.of("gXyz", "gGradOut"), List.of("xyz", "gradOut", "ggXyz")))
                .addStatement("$T.run(n, BLOCK_SIZE, (block, from, to) -> doubleBackwardBlock(from, to, xyz, gradOut,"
                        + " ggXyz, gXyz, gGradOut))", BatchBlocks.class)
                .build();
    }

    private static CodeBlock optional(String argument, CodeBlock check) {
        return CodeBlock.builder().beginControlFlow("if ($L != null)", argument).add(check).endControlFlow().build();
    }

    /** The points {@code from..to-1}, one at a time. */
    private MethodSpec block(NumberType t, CodeBlock valueCalls, CodeBlock termCalls) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("doubleBackwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to");
        for (String name : List.of("xyz", "gradOut", "ggXyz", "gXyz", "gGradOut")) {
            method.addParameter(t.arrayType(), name);
        }
        String type = t.type().toString();
        method.addStatement("$L[] point = new $L[$L]", type, type, POINT_SLOTS)
                .addStatement("$L[] values = new $L[$L]", type, type, lmax * lmax)
                .addStatement("$L[] lowered = new $L[$L]", type, type, lmax * lmax)
                .beginControlFlow("for (int p = from; p < to; p++)")
                .addStatement("$T.fill(point, $L)", Arrays.class, t.zero())
                .addStatement("$T.fill(lowered, $L)", Arrays.class, t.zero())
                .addStatement("$L ggx = ggXyz == null ? $L : ggXyz[3 * p]", type, t.zero())
                .addStatement("$L ggy = ggXyz == null ? $L : ggXyz[3 * p + 1]", type, t.zero())
                .addStatement("$L ggz = ggXyz == null ? $L : ggXyz[3 * p + 2]", type, t.zero());
        if (model.normalize()) {
            method.addStatement("$L norm = norm(xyz[3 * p], xyz[3 * p + 1], xyz[3 * p + 2])", type)
                    .addStatement("$L scale = Math.max(norm, $L)", type, floor(t))
                    .addStatement("boolean above = norm >= $L", floor(t))
                    .addStatement("$L x = xyz[3 * p] / scale", type)
                    .addStatement("$L y = xyz[3 * p + 1] / scale", type)
                    .addStatement("$L z = xyz[3 * p + 2] / scale", type)
                    .addComment("v = Du gg: (gg - (gg . u) u) / |x| above eps, gg / eps below")
                    .addStatement("$L a = above ? ggx * x + ggy * y + ggz * z : $L", type, t.zero())
                    .addStatement("point[$L] = (ggx - a * x) / scale", V)
                    .addStatement("point[$L] = (ggy - a * y) / scale", V + 1)
                    .addStatement("point[$L] = (ggz - a * z) / scale", V + 2);
        } else {
            method.addStatement("$L x = xyz[3 * p]", type)
                    .addStatement("$L y = xyz[3 * p + 1]", type)
                    .addStatement("$L z = xyz[3 * p + 2]", type)
                    .addStatement("point[$L] = ggx", V)
                    .addStatement("point[$L] = ggy", V + 1)
                    .addStatement("point[$L] = ggz", V + 2);
        }
        method.addStatement("point[0] = x")
                .addStatement("point[1] = y")
                .addStatement("point[2] = z")
                .addStatement("int o = p * $L", dim)
                .addCode(valueCalls)
                .addCode(termCalls);
        List<String> constantOutputs = new ArrayList<>();
        for (Degree degree : model.degrees()) {
            if (degree.l() == 0) {
                degree.offsets().forEach(offset -> constantOutputs.add("gGradOut[" + index(offset) + "] = "
                        + t.zero()));
            }
        }
        if (!constantOutputs.isEmpty()) {
            method.beginControlFlow("if (gGradOut != null)");
            constantOutputs.forEach(statement -> method.addStatement("$L", statement));
            method.endControlFlow();
        }
        method.beginControlFlow("if (gXyz != null)");
        if (model.normalize()) {
            method.addComment("Du (H v) + d(G . Du gg)/dx above eps; (H v) / eps below, where Du = I / eps")
                    .addStatement("$L hx = point[$L]", type, HESSIAN)
                    .addStatement("$L hy = point[$L]", type, HESSIAN + 1)
                    .addStatement("$L hz = point[$L]", type, HESSIAN + 2)
                    .beginControlFlow("if (above)")
                    .addStatement("$L gx = point[$L]", type, GRADIENT)
                    .addStatement("$L gy = point[$L]", type, GRADIENT + 1)
                    .addStatement("$L gz = point[$L]", type, GRADIENT + 2)
                    .addStatement("$L radial = hx * x + hy * y + hz * z", type)
                    .addStatement("$L b = gx * x + gy * y + gz * z", type)
                    .addStatement("$L c = gx * ggx + gy * ggy + gz * ggz", type)
                    .addStatement("$L along = (c - 3 * a * b) / scale", type)
                    .addStatement("hx -= radial * x + (a * gx + b * ggx) / scale + along * x")
                    .addStatement("hy -= radial * y + (a * gy + b * ggy) / scale + along * y")
                    .addStatement("hz -= radial * z + (a * gz + b * ggz) / scale + along * z")
                    .endControlFlow()
                    .addStatement("gXyz[3 * p] = hx / scale")
                    .addStatement("gXyz[3 * p + 1] = hy / scale")
                    .addStatement("gXyz[3 * p + 2] = hz / scale");
        } else {
            method.addStatement("gXyz[3 * p] = point[$L]", HESSIAN)
                    .addStatement("gXyz[3 * p + 1] = point[$L]", HESSIAN + 1)
                    .addStatement("gXyz[3 * p + 2] = point[$L]", HESSIAN + 2);
        }
        return method.endControlFlow().endControlFlow().build();
    }

    private static String floor(NumberType t) {
        return t.literal(new BigDecimal(NORM_FLOOR));
    }

    /** {@code values[l^2 + k] = P^l_k(u)} for {@code l < lmax}: {@code P^0}, {@code P^1}, then e3nn's recursion. */
    private List<Piece> valuePieces(NumberType t) {
        List<Piece> pieces = new ArrayList<>();
        if (lmax == 0) {
            return pieces;
        }
        pieces.add(new Piece(CodeBlock.of("values[0] = $L;\n",
                t.literal(model.components(0).get(0).terms().get(0).coefficient().longValueExact())), 12));
        if (lmax == 1) {
            return pieces;
        }
        for (Component c : model.components(1)) {
            StringBuilder sum = new StringBuilder();
            for (Term term : c.terms()) {
                int axis = term.xPower() == 1 ? 0 : term.yPower() == 1 ? 1 : 2;
                append(sum, BigFraction.of(term.coefficient()), "point[" + axis + "]", t);
            }
            pieces.add(new Piece(CodeBlock.of("values[$L] = $L;\n", 1 + c.index(), text(sum, t)),
                    10 + 12 * c.terms().size()));
        }
        List<List<List<Raise>>> raisings = model.raisings();
        for (int l = 2; l < lmax; l++) {
            List<List<Raise>> byK = raisings.get(l - 2);
            for (int k = 0; k < byK.size(); k++) {
                StringBuilder sum = new StringBuilder();
                for (Raise raise : byK.get(k)) {
                    SqrtRational q = raise.q();
                    String factor = "values[" + ((l - 1) * (l - 1) + raise.i()) + "] * point[" + raise.j() + "]";
                    boolean unit = q.square().equals(BigFraction.ONE);
                    String magnitude = unit ? factor : t.literal(q.abs()) + " * " + factor;
                    sum.append(sum.length() == 0 ? (q.signum() < 0 ? "-" : "") : q.signum() < 0 ? " - " : " + ")
                            .append(magnitude);
                }
                pieces.add(new Piece(CodeBlock.of("values[$L] = $L;\n", l * l + k, text(sum, t)),
                        12 + 16 * byK.get(k).size()));
            }
        }
        return pieces;
    }

    /**
     * Per degree {@code l >= 1} and component {@code k}: the derivatives {@code d_a = dP_k/da}, the weight
     * {@code w = N_k gradOut_k}, {@code G += w d}, {@code gGradOut_k = N_k d . v}, and {@code W_i += w sum_a v_a
     * c[a][k][i]}; then per axis {@code b} the Hessian contraction {@code (H v)_b += sum_j P^{l-2}_j sum_i W_i
     * c^{l-1}[b][i][j]}.
     */
    private List<Piece> termPieces(NumberType t) {
        List<Piece> pieces = new ArrayList<>();
        for (Degree degree : model.degrees()) {
            int l = degree.l();
            if (l == 0) {
                continue;
            }
            List<List<Map<Integer, BigFraction>>> gradient = model.loweredGradient(l);
            int lower = (l - 1) * (l - 1);
            for (Component c : degree.components()) {
                pieces.add(componentPiece(degree, c, gradient, lower, t));
            }
            if (l >= 2) {
                List<List<Map<Integer, BigFraction>>> lowerGradient = model.loweredGradient(l - 1);
                int lowest = (l - 2) * (l - 2);
                for (int b = 0; b < 3; b++) {
                    // (H v)_b += sum_j P^{l-2}_j sum_i W_i c^{l-1}[b][i][j]
                    Map<Integer, StringBuilder> byJ = new TreeMap<>();
                    List<Map<Integer, BigFraction>> byI = lowerGradient.get(b);
                    int terms = 0;
                    for (int i = 0; i < byI.size(); i++) {
                        for (Map.Entry<Integer, BigFraction> entry : byI.get(i).entrySet()) {
                            append(byJ.computeIfAbsent(entry.getKey(), j -> new StringBuilder()), entry.getValue(),
                                    "lowered[" + (lower + i) + "]", t);
                            terms++;
                        }
                    }
                    if (byJ.isEmpty()) {
                        continue;
                    }
                    StringBuilder sum = new StringBuilder();
                    byJ.forEach((j, inner) -> sum.append(sum.length() == 0 ? "" : " + ")
                            .append("values[").append(lowest + j).append("] * (").append(inner).append(')'));
                    pieces.add(new Piece(CodeBlock.of("point[$L] += $L;\n", HESSIAN + b, sum),
                            12 + 12 * terms + 8 * byJ.size()));
                }
            }
        }
        return pieces;
    }

    private Piece componentPiece(Degree degree, Component c, List<List<Map<Integer, BigFraction>>> gradient,
                                 int lower, NumberType t) {
        int l = degree.l();
        int k = c.index();
        String type = t.type().toString();
        String prefix = "d" + l + "_" + k;
        CodeBlock.Builder code = CodeBlock.builder().add("// Y^$L_$L\n", l, k - l);
        int size = 0;
        // the derivative along each axis, null where it vanishes
        List<String> derivatives = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            Map<Integer, BigFraction> coefficients = gradient.get(a).get(k);
            if (coefficients.isEmpty()) {
                derivatives.add(null);
                continue;
            }
            StringBuilder sum = new StringBuilder();
            coefficients.forEach((i, value) -> append(sum, value, "values[" + (lower + i) + "]", t));
            String name = prefix + "xyz".charAt(a);
            code.addStatement("$L $L = $L", type, name, sum);
            derivatives.add(name);
            size += 8 + 12 * coefficients.size();
        }
        String weight = "w" + l + "_" + k;
        String constant = SphericalHarmonicsWriter.constantName(l, k, t);
        String gradients = String.join(" + ", degree.offsets().stream()
                .map(offset -> "gradOut[" + index(offset + k) + "]").toList());
        code.addStatement("$L $L = $L * $L", type, weight, constant,
                degree.offsets().size() == 1 ? gradients : "(" + gradients + ")");
        size += 12 + 10 * degree.offsets().size();
        List<String> directional = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            if (derivatives.get(a) != null) {
                code.addStatement("point[$L] += $L * $L", GRADIENT + a, weight, derivatives.get(a));
                directional.add(derivatives.get(a) + " * " + DIRECTION[a]);
            }
        }
        code.beginControlFlow("if (gGradOut != null)")
                .addStatement("$L $L = $L * $L", type, prefix + "v", constant,
                        directional.isEmpty() ? t.zero() : "(" + String.join(" + ", directional) + ")");
        degree.offsets().forEach(offset -> code.addStatement("gGradOut[$L] = $L", index(offset + k), prefix + "v"));
        code.endControlFlow();
        size += 3 * 12 + 30 + 10 * degree.offsets().size();
        if (l >= 2) {
            // W_i += w sum_a v_a c[a][k][i]
            Map<Integer, StringBuilder> byI = new TreeMap<>();
            for (int a = 0; a < 3; a++) {
                String direction = DIRECTION[a];
                gradient.get(a).get(k).forEach((i, value) -> append(byI.computeIfAbsent(i, key -> new StringBuilder()),
                        value, direction, t));
            }
            for (Map.Entry<Integer, StringBuilder> entry : byI.entrySet()) {
                code.addStatement("lowered[$L] += $L * ($L)", lower + entry.getKey(), weight, entry.getValue());
                size += 16 + 8 * entry.getValue().toString().split(" [-+] ").length;
            }
        }
        return new Piece(code.build(), size);
    }

    /** Appends {@code ± |value| * variable} (the magnitude left out when 1), with no sign before a positive first. */
    private static void append(StringBuilder sum, BigFraction value, String variable, NumberType t) {
        BigFraction magnitude = value.abs();
        String term = magnitude.equals(BigFraction.ONE) ? variable
                : t.literal(SqrtRational.of(magnitude)) + " * " + variable;
        sum.append(sum.length() == 0 ? (value.signum() < 0 ? "-" : "") : value.signum() < 0 ? " - " : " + ")
                .append(term);
    }

    /** {@code o} or {@code o + offset}: an entry of the point's output row. */
    private static String index(int offset) {
        return offset == 0 ? "o" : "o + " + offset;
    }

    private static String text(StringBuilder sum, NumberType t) {
        return sum.length() == 0 ? t.zero() : sum.toString();
    }

    /**
     * Packs {@code pieces}, in order, into methods {@code prefix0, prefix1, ...} with the parameters named by
     * {@code parameters} (every array {@code t}'s, {@code o} an int), adding them to {@code methods}; returns the
     * statements calling them in order, through group methods of {@link SphericalHarmonicsPlan#CALLS} when there are
     * more than {@link SphericalHarmonicsPlan#MAX_CALLS_PER_METHOD}.
     */
    private CodeBlock pack(String prefix, String parameters, List<Piece> pieces, NumberType t,
                           List<MethodSpec> methods) {
        List<List<Piece>> packed = STATEMENTS.pack(pieces, Piece::size);
        Function<String, MethodSpec.Builder> declare = name -> {
            MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC);
            for (String parameter : parameters.split(", ")) {
                if (parameter.equals("o")) {
                    method.addParameter(int.class, parameter);
                } else {
                    method.addParameter(t.arrayType(), parameter);
                }
            }
            return method;
        };
        List<String> names = new ArrayList<>();
        for (List<Piece> group : packed) {
            String name = prefix + names.size();
            MethodSpec.Builder method = declare.apply(name);
            if (parameters.contains("gGradOut")) {
                for (int a = 0; a < 3; a++) {
                    method.addStatement("$T $L = point[$L]", t.type(), DIRECTION[a], V + a);
                }
            }
            group.forEach(piece -> method.addCode(piece.code()));
            methods.add(method.build());
            names.add(name);
        }
        if (names.size() > SphericalHarmonicsPlan.MAX_CALLS_PER_METHOD) {
            List<String> groups = new ArrayList<>();
            for (List<String> members : SphericalHarmonicsPlan.CALLS.pack(names)) {
                String name = prefix + "Group" + groups.size();
                MethodSpec.Builder group = declare.apply(name)
                        .addJavadoc("$L to $L in order.\n", members.get(0), members.get(members.size() - 1));
                members.forEach(member -> group.addStatement("$L($L)", member, parameters));
                methods.add(group.build());
                groups.add(name);
            }
            names = groups;
        }
        CodeBlock.Builder calls = CodeBlock.builder();
        names.forEach(name -> calls.addStatement("$L($L)", name, parameters));
        return calls.build();
    }
}
