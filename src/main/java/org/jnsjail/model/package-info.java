/**
 * The data every layer shares: what a jail is ({@link org.jnsjail.model.JailSpec} and its records:
 * {@link org.jnsjail.model.MountPt}, {@link org.jnsjail.model.IdMap}, {@link org.jnsjail.model.NetConfig},
 * {@link org.jnsjail.model.UserNet}, {@link org.jnsjail.model.CgroupLimits}), for whom it is started
 * ({@link org.jnsjail.model.Caller}, {@link org.jnsjail.model.JailIo}), how it ended
 * ({@link org.jnsjail.model.JailStatus}, {@link org.jnsjail.model.JailOutcome}), the one exception
 * of jail set-up ({@link org.jnsjail.model.JailFailure}: its {@link org.jnsjail.model.SetupStep} and
 * errno), nsjail's defaults ({@link org.jnsjail.model.Defaults}), and the interfaces a running jail and its
 * host resources offer ({@link org.jnsjail.model.JailHandle}, {@link org.jnsjail.model.JailResource}).
 *
 * <p>Owns: these types. May not touch: anything above the kernel edges ({@code sys}, {@code log});
 * every other package of jnsjail may use it, it uses none of them.
 */
package org.jnsjail.model;
