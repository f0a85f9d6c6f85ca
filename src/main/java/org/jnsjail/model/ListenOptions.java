package org.jnsjail.model;

/** LISTEN mode's settings: --bindhost, --port, --max_conns, --max_conns_per_ip, --forward_signals. */
public record ListenOptions(String bindhost, int port, long maxConns, long maxConnsPerIp, boolean forwardSignals) {}
