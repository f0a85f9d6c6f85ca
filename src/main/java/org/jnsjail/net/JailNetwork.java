package org.jnsjail.net;

import org.jnsjail.model.SetupStep;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.NetConfig;
import org.jnsjail.log.Log;
import org.jnsjail.model.JailResource;

/**
 * The jail's interfaces beyond lo, made by the supervisor over rtnetlink (nsjail's net::initParent
 * plus the vs/traffic-rule part of its child-side net::initNs).
 *
 * <p>Everything, including vs's address, route and the FIB rules that nsjail sets from inside the
 * jail with ioctls and libnl, is done here in the parent, before the jail is let go: on a netlink
 * socket opened inside the jail's network namespace ({@link JailNetns}). That is more robust than
 * child-side ioctls: the exec stub stays free of networking, every failure is decoded from the
 * kernel's NLMSG_ERROR (with its extended-ack text) into one line naming the step, and the
 * supervisor keeps a handle on the namespace to delete vs even if the jail misbehaves.
 *
 * <p>Lifetime: vs is created directly in the jail's namespace and never exists on the host. When
 * that namespace dies, the kernel destroys virtual devices (vs, a veth given to --iface_own, which
 * takes its peer with it) and moves physical devices back to the *initial* network namespace
 * (net/core/dev.c default_device_exit_net). {@link #release()} deletes vs itself, so it is gone even
 * while stray processes keep the namespace alive (no PID namespace).
 */
public final class JailNetwork implements JailResource {
    static final String VS = "vs";
    private static final int ENODEV = 19;
    private static final String HOST = "the supervisor's network namespace";
    private static final String JAIL = "the jail's network namespace";

    private final NetConfig net;
    private final boolean hasNetns;

    private MacvlanMode mode;
    private byte[] mac, ip, gw;
    private int prefixLen;
    private final List<NlMessageBuilder> rules = new ArrayList<>();
    private RtnlSocket host, jail;
    private int parentIndex = -1, vsIndex = -1;

    public JailNetwork(NetConfig net, boolean hasNetns) {
        this.net = net;
        this.hasNetns = hasNetns;
    }

    /** Checks every value and looks up the parent interface, so a bad one fails before the clone. */
    @Override
    public int prepare() throws JailFailure {
        if (!hasNetns) {
            throw new JailFailure(SetupStep.NETWORK, "--macvlan_iface, --iface_own and traffic_rule need a network namespace"
                    + " (they cannot be used with --disable_clone_newnet)");
        }
        try {
            validate();
        } catch (IllegalArgumentException e) {
            throw new JailFailure(SetupStep.NETWORK, e.getMessage());
        }
        try {
            host = RtnlSocket.open();
            if (net.macvlanIface() != null) parentIndex = host.linkIndex(net.macvlanIface(), HOST);
        } catch (NetlinkException e) {
            throw new JailFailure(SetupStep.NETWORK, e.getMessage());
        }
        return -1;
    }

    /** The same checks as {@link #prepare()} without touching the kernel: for the CLI, before anything starts. */
    public static void check(NetConfig net) {
        new JailNetwork(net, true).validate();
    }

    private void validate() {
        if (net.macvlanIface() != null) {
            mode = MacvlanMode.parse(net.vsMo());
            mac = net.vsMa() == null || net.vsMa().isEmpty() ? null : Inet.mac(net.vsMa(), "--macvlan_vs_ma");
            ip = Inet.ipv4(net.vsIp(), "--macvlan_vs_ip");
            prefixLen = Inet.prefixOfNetmask(net.vsNm(), "--macvlan_vs_nm");
            gw = Inet.ipv4(net.vsGw(), "--macvlan_vs_gw");
        }
        for (int i = 0; i < net.trafficRules().size(); i++) {
            rules.add(TrafficRules.newRule(net.trafficRules().get(i), "traffic_rule #" + (i + 1)));
        }
    }

    @Override
    public void attach(int pid) throws JailFailure {
        try {
            for (String iface : net.ifaceOwn()) {
                Log.debug("Moving interface '" + iface + "' into the jail's network namespace");
                host.ack("Couldn't move interface '" + iface + "' from " + HOST + " into " + JAIL,
                        RtnlRequests.moveLink(iface, pid));
            }
            if (net.macvlanIface() != null) {
                Log.debug("Creating MACVLAN '" + VS + "' on '" + net.macvlanIface() + "' (mode " + mode.word + ")");
                host.ack("Couldn't create MACVLAN '" + VS + "' on '" + net.macvlanIface() + "' (mode " + mode.word
                        + ") in " + JAIL, RtnlRequests.newMacvlan(VS, parentIndex, mode, mac, pid));
            }
            if (net.macvlanIface() == null && rules.isEmpty()) return;
            jail = JailNetns.openRtnl(pid);
            if (net.macvlanIface() != null) configureVs();
            for (int i = 0; i < rules.size(); i++) {
                jail.ack("Couldn't add traffic_rule #" + (i + 1) + " in " + JAIL, rules.get(i));
            }
        } catch (NetlinkException e) {
            throw new JailFailure(SetupStep.NETWORK, e.getMessage());
        }
    }

    /** As nsjail's ifaceConfig: address 0.0.0.0 leaves vs unconfigured and down; gw 0.0.0.0 adds no route. */
    private void configureVs() throws NetlinkException {
        vsIndex = jail.linkIndex(VS, JAIL);
        if (Inet.isAny(ip)) {
            Log.debug("IPv4 address for interface '" + VS + "' not set");
            return;
        }
        jail.ack("Couldn't set address " + net.vsIp() + "/" + prefixLen + " on '" + VS + "'",
                RtnlRequests.newAddr4(vsIndex, ip, prefixLen));
        jail.ack("Couldn't bring interface '" + VS + "' up", RtnlRequests.setUp(vsIndex));
        if (Inet.isAny(gw)) {
            Log.debug("Gateway for interface '" + VS + "' not set");
            return;
        }
        jail.ack("Couldn't add the default route via " + net.vsGw() + " on '" + VS + "'",
                RtnlRequests.defaultRoute4(gw, vsIndex));
    }

    @Override
    public void release() {
        if (jail != null) {
            if (vsIndex > 0) {
                try {
                    jail.ack("deleting '" + VS + "'", RtnlRequests.delLink(vsIndex));
                } catch (NetlinkException e) {
                    if (e.errno() != ENODEV) Log.warn(e.getMessage());
                }
            }
            jail.close();
            jail = null;
        }
        if (host != null) {
            host.close();
            host = null;
        }
    }
}
