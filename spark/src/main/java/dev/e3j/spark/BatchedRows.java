package dev.e3j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The rows of a partition with result columns appended, evaluated in consecutive batches of {@code batchSize} rows
 * in partition order: the batches, and so the results, are the same whenever the task runs again. One batch is held
 * in memory at a time.
 */
final class BatchedRows implements Iterator<Row> {

    /** Evaluates a batch of rows: the result values of each row, in order; never throws for a row's content. */
    @FunctionalInterface
    interface BatchEvaluation {
        Object[][] evaluate(List<Row> rows);
    }

    private final Iterator<Row> input;
    private final int batchSize;
    private final BatchEvaluation evaluation;
    private final List<Row> batch = new ArrayList<>();
    private Object[][] results = new Object[0][];
    private int next;

    BatchedRows(Iterator<Row> input, int batchSize, BatchEvaluation evaluation) {
        this.input = input;
        this.batchSize = batchSize;
        this.evaluation = evaluation;
    }

    @Override
    public boolean hasNext() {
        if (next < batch.size()) {
            return true;
        }
        batch.clear();
        while (batch.size() < batchSize && input.hasNext()) {
            batch.add(input.next());
        }
        next = 0;
        if (batch.isEmpty()) {
            return false;
        }
        results = evaluation.evaluate(batch);
        return true;
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Row row = batch.get(next);
        Object[] result = results[next];
        next++;
        Object[] values = new Object[row.length() + result.length];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        System.arraycopy(result, 0, values, row.length(), result.length);
        return RowFactory.create(values);
    }

    /** {@return the message for a row that failed with {@code e}: its message, with its type unless it is plain} */
    static String message(RuntimeException e) {
        return e instanceof IllegalArgumentException ? e.getMessage() : e.getClass().getName() + ": " + e.getMessage();
    }
}
