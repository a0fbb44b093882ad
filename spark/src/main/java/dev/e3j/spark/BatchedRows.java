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
 * in memory at a time. A row that arrives with an error (a reader's) is passed to the evaluation, which keeps it.
 */
final class BatchedRows implements Iterator<Row> {

    /**
     * Evaluates a batch of rows: the result values of each row, in order, the error message last; never throws for
     * a row's content.
     */
    @FunctionalInterface
    interface BatchEvaluation {
        Object[][] evaluate(List<Row> rows);
    }

    private final Iterator<Row> input;
    private final int errorColumn;
    private final int batchSize;
    private final BatchEvaluation evaluation;
    private final List<Row> batch = new ArrayList<>();
    private Object[][] results = new Object[0][];
    private int next;

    /**
     * The rows of {@code input} with each row's results appended; the last result is the row's error message, which
     * goes into the input's {@code errorColumn} instead when it has one ({@code errorColumn >= 0}).
     */
    BatchedRows(Iterator<Row> input, int errorColumn, int batchSize, BatchEvaluation evaluation) {
        this.input = input;
        this.errorColumn = errorColumn;
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
        int appended = errorColumn < 0 ? result.length : result.length - 1;
        Object[] values = new Object[row.length() + appended];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        System.arraycopy(result, 0, values, row.length(), appended);
        if (errorColumn >= 0) {
            values[errorColumn] = result[result.length - 1];
        }
        return RowFactory.create(values);
    }

    /** {@return the error an input row already has, or null (also without an error column)} */
    static String inputError(Row row, int errorColumn) {
        return errorColumn < 0 || row.isNullAt(errorColumn) ? null : row.getString(errorColumn);
    }

    /** {@return the message for a row that failed with {@code e}: its message, with its type unless it is plain} */
    static String message(RuntimeException e) {
        return e instanceof IllegalArgumentException ? e.getMessage() : e.getClass().getName() + ": " + e.getMessage();
    }
}
