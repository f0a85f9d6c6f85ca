package org.jnsjail.net.nstun;

/** A guest packet that is dropped; the message says why (for debug lines). Carries no stack trace: it is routine. */
final class BadPacket extends Exception {
    private static final long serialVersionUID = 1L;

    BadPacket(String reason) {
        super(reason, null, false, false);
    }
}
