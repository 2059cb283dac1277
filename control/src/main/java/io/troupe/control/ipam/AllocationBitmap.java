package io.troupe.control.ipam;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.BitSet;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Which values of an {@link AllocationRange} are taken: one bit per value, as Kubernetes' allocation bitmap. Stored
 * in a {@link RangeAllocation} as base64 of the zlib-deflated bits (a mostly empty /16 of ClusterIPs is 8 KiB raw and
 * a few dozen bytes deflated; every allocation writes the whole object to the journal). Mutable; owned by one actor
 * at a time.
 */
public final class AllocationBitmap {
  private final int size;
  private final BitSet bits;

  public AllocationBitmap(int size) {
    this(size, new BitSet(size));
  }

  private AllocationBitmap(int size, BitSet bits) {
    this.size = size;
    this.bits = bits;
  }

  public int size() {
    return size;
  }

  public boolean isSet(int index) {
    return bits.get(index);
  }

  public void set(int index) {
    bits.set(index);
  }

  public void clear(int index) {
    bits.clear(index);
  }

  public int count() {
    return bits.cardinality();
  }

  public AllocationBitmap copy() {
    return new AllocationBitmap(size, (BitSet) bits.clone());
  }

  /** The set positions, in order. */
  public java.util.stream.IntStream positions() {
    return bits.stream();
  }

  /**
   * A free position as the range picks them: at random (starting anywhere above the static band, wrapping, then in
   * the band) or the lowest one. Empty when every position is taken.
   */
  public OptionalInt free(AllocationRange range) {
    if (!range.random()) return firstClear(0, size);
    int band = Math.min(range.staticBand(), size);
    OptionalInt upper = band < size ? scan(ThreadLocalRandom.current().nextInt(band, size), band, size)
        : OptionalInt.empty();
    if (upper.isPresent() || band == 0) return upper;
    return scan(ThreadLocalRandom.current().nextInt(0, band), 0, band);
  }

  /** The first clear position from {@code start} to {@code end}, then from {@code from} to {@code start}. */
  private OptionalInt scan(int start, int from, int end) {
    OptionalInt after = firstClear(start, end);
    return after.isPresent() ? after : firstClear(from, start);
  }

  private OptionalInt firstClear(int from, int end) {
    int i = bits.nextClearBit(from);
    return i < end ? OptionalInt.of(i) : OptionalInt.empty();
  }

  public boolean sameBitsAs(AllocationBitmap other) {
    return size == other.size && bits.equals(other.bits);
  }

  // ---- stored form ----

  public String encode() {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    deflater.setInput(bits.toByteArray());
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!deflater.finished()) out.write(buffer, 0, deflater.deflate(buffer));
    deflater.end();
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  /** The bitmap {@link #encode()} wrote; positions at or past {@code size} are dropped. */
  public static AllocationBitmap decode(int size, String data) {
    AllocationBitmap bitmap = new AllocationBitmap(size);
    if (data == null || data.isEmpty()) return bitmap;
    Inflater inflater = new Inflater();
    inflater.setInput(Base64.getDecoder().decode(data));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
        out.write(buffer, 0, n);
      }
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an allocation bitmap: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
    BitSet stored = BitSet.valueOf(out.toByteArray());
    stored.stream().filter(i -> i < size).forEach(bitmap.bits::set);
    return bitmap;
  }
}
