package dev.e3j.spark;

import dev.e3j.runtime.io.StateDict;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generated model class and the bytes of its state dict: what Spark broadcasts so that the weights reach each
 * executor once. {@link #instance(Class)} builds the model there through its {@code (StateDict)} constructor, the
 * constructor every generated model has, and keeps it: Spark keeps one deserialized copy of a broadcast value per
 * executor, so each executor builds the model once (again only if Spark evicts the broadcast from memory).
 *
 * <p>The model is built lazily and published safely; generated models are immutable and thread-safe, so the tasks
 * of an executor share it.
 */
public final class GeneratedModel implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String className;
    private final byte[] weights;
    private final String weightsName;
    private transient volatile Object instance;

    private GeneratedModel(String className, byte[] weights, String weightsName) {
        this.className = className;
        this.weights = weights;
        this.weightsName = weightsName;
    }

    /**
     * The model class {@code className} with the state dict in {@code weights} (a safetensors or {@code torch.save}
     * file, as {@link StateDict#read(Path)} reads it).
     *
     * @throws IOException if the file cannot be read
     */
    public static GeneratedModel of(String className, Path weights) throws IOException {
        if (weights == null) {
            throw new IllegalArgumentException("GeneratedModel.of: weights must be a file, got null");
        }
        return of(className, Files.readAllBytes(weights), weights.getFileName().toString());
    }

    /**
     * The model class {@code className} with the state dict held in {@code weights} (the bytes of a safetensors or
     * {@code torch.save} file, copied); {@code weightsName} names them in messages.
     */
    public static GeneratedModel of(String className, byte[] weights, String weightsName) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("GeneratedModel.of: className must name a generated model class, got "
                    + (className == null ? "null" : "'" + className + "'"));
        }
        if (weights == null || weightsName == null) {
            throw new IllegalArgumentException("GeneratedModel.of: weights and weightsName must not be null, got "
                    + (weights == null ? "null weights" : "null weightsName"));
        }
        return new GeneratedModel(className, weights.clone(), weightsName);
    }

    /** {@return the fully qualified name of the model class} */
    public String className() {
        return className;
    }

    /** {@return the size of the state dict in bytes} */
    public int weightsSize() {
        return weights.length;
    }

    /**
     * The model, built on first use from the state dict through the class's public {@code (StateDict)} constructor,
     * loaded by the thread's context class loader (Spark's, which sees the application's jars).
     *
     * @throws IllegalArgumentException if the class cannot be loaded, is not a {@code type}, has no public
     *                                  {@code (StateDict)} constructor, or rejects the state dict
     * @throws UncheckedIOException     if the state dict's bytes are malformed
     */
    public <T> T instance(Class<T> type) {
        Object model = instance;
        if (model == null) {
            synchronized (this) {
                model = instance;
                if (model == null) {
                    model = construct(type);
                    instance = model;
                }
            }
        }
        if (!type.isInstance(model)) {
            throw new IllegalArgumentException(className + " must implement " + type.getName() + ", but it does not");
        }
        return type.cast(model);
    }

    private Object construct(Class<?> type) {
        Class<?> modelClass;
        try {
            modelClass = Class.forName(className, true, classLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("model class " + className + " is not on the class path (on a cluster,"
                    + " ship its jar with spark-submit --jars)", e);
        }
        if (!type.isAssignableFrom(modelClass)) {
            throw new IllegalArgumentException(className + " must implement " + type.getName() + ", but it does not");
        }
        Constructor<?> constructor;
        try {
            constructor = modelClass.getConstructor(StateDict.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(className + " must have a public constructor taking a StateDict, as "
                    + "generated models do", e);
        }
        StateDict stateDict;
        try {
            stateDict = StateDict.read(ByteBuffer.wrap(weights), weightsName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return constructor.newInstance(stateDict);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalArgumentException(className + " rejected the state dict " + weightsName + ": "
                    + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(className + " cannot be instantiated: " + e, e);
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : GeneratedModel.class.getClassLoader();
    }

    /** {@code GeneratedModel(com.example.CuMace, mace-cu.safetensors, 1234567 bytes)}. */
    @Override
    public String toString() {
        return "GeneratedModel(" + className + ", " + weightsName + ", " + weights.length + " bytes)";
    }
}
