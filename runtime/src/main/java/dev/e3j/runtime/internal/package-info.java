/**
 * Implementation details shared across the runtime's packages; not exported, not API.
 */
package dev.e3j.runtime.internal;
