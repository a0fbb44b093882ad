package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.processor.model.HarmonicConstant;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit file of a spherical-harmonics kernel: every component {@code Y^l_m = constant * P(x, y, z)} with its
 * exact constant and the integer coefficients of {@code P}, so that a reviewer can check the generated numbers
 * against any table without reading the code.
 */
public final class SphericalHarmonicsAudit {

    private SphericalHarmonicsAudit() {
    }

    public static String json(SphericalHarmonicsModel model, ClassName spec, ClassName implementation) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("class", implementation.reflectionName());
        document.put("spec", spec.reflectionName());
        document.put("ls", model.ls());
        document.put("normalization", model.normalization().name().toLowerCase(Locale.ROOT));
        document.put("normalize", model.normalize());
        document.put("precision", model.precision().name().toLowerCase(Locale.ROOT));
        document.put("irreps_out", model.irrepsOut().toString());
        List<Object> degrees = new ArrayList<>();
        for (Degree degree : model.degrees()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("l", degree.l());
            entry.put("offsets", degree.offsets());
            List<Object> components = new ArrayList<>();
            for (Component component : degree.components()) {
                components.add(component(model, degree, component));
            }
            entry.put("components", components);
            degrees.add(entry);
        }
        document.put("degrees", degrees);
        return AuditJson.print(document);
    }

    private static Map<String, Object> component(SphericalHarmonicsModel model, Degree degree, Component component) {
        HarmonicConstant constant = model.constant(degree, component);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("m", component.index() - degree.l());
        entry.put("constant", constant.toString());
        entry.put("constant_double", constant.doubleValue());
        List<Object> polynomial = new ArrayList<>();
        for (Term term : component.terms()) {
            Map<String, Object> monomial = new LinkedHashMap<>();
            monomial.put("x", term.xPower());
            monomial.put("y", term.yPower());
            monomial.put("z", term.zPower());
            monomial.put("coefficient", term.coefficient());
            polynomial.add(monomial);
        }
        entry.put("polynomial", polynomial);
        return entry;
    }
}
