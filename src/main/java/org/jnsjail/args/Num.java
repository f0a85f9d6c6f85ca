package org.jnsjail.args;

/**
 * Numeric option values as nsjail reads them (strtoul/strtoull with base 0: decimal, 0x hex,
 * 0 octal), but strict: where nsjail turns garbage into 0, this is an error naming the option.
 */
final class Num {
    private Num() {}

    static long parse(String v, String opt, long min, long max) throws CliException {
        long n = parseOrFail(v, opt, false);
        if (Long.compareUnsigned(n, min) < 0 || Long.compareUnsigned(n, max) > 0) {
            throw new CliException(opt + ": value " + org.jnsjail.log.Quote.of(v) + " is out of range [" + min + ", " + max + "]", false);
        }
        return n;
    }

    static long parseSigned(String v, String opt, long min, long max) throws CliException {
        long n = parseOrFail(v, opt, true);
        if (n < min || n > max) throw new CliException(opt + ": value " + org.jnsjail.log.Quote.of(v) + " is out of range [" + min + ", " + max + "]", false);
        return n;
    }

    private static long parseOrFail(String v, String opt, boolean signed) throws CliException {
        String s = v.strip();
        boolean neg = false;
        if (signed && (s.startsWith("-") || s.startsWith("+"))) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int radix = 10;
        if (s.startsWith("0x") || s.startsWith("0X")) {
            radix = 16;
            s = s.substring(2);
        } else if (s.length() > 1 && s.charAt(0) == '0') {
            radix = 8;
            s = s.substring(1);
        }
        try {
            if (s.isEmpty()) throw new NumberFormatException();
            long n = Long.parseUnsignedLong(s, radix);
            if (signed && n < 0) throw new NumberFormatException();
            return neg ? -n : n;
        } catch (NumberFormatException e) {
            throw new CliException(opt + ": " + org.jnsjail.log.Quote.of(v) + " is not a number", false);
        }
    }
}
