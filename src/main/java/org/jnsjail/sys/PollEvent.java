package org.jnsjail.sys;

/** poll(2) event bits (asm-generic/poll.h). */
public enum PollEvent {
    POLLIN(0x001), POLLPRI(0x002), POLLOUT(0x004), POLLERR(0x008), POLLHUP(0x010), POLLNVAL(0x020), POLLRDHUP(0x2000);

    public final int bit;

    PollEvent(int bit) {
        this.bit = bit;
    }
}
