package org.jnsjail.cgroup;

/** One write into a cgroup: {@code value} goes into the interface file {@code file} of the jail's cgroup. */
public record CgroupWrite(String file, String value) {}
