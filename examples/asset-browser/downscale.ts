// Area-averaging (box) downscaling: each output pixel is the mean of the source area it covers,
// partial source pixels weighted by how much of them it covers. No aliasing when shrinking, and
// no dependency: it is the CPU work the worker threads are there for.

/** An RGBA image, 8 bits per channel, rows top to bottom. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The size that fits `width`×`height` within `longest` pixels on its longest edge, keeping the
 * aspect ratio; never enlarges. Each edge is at least 1 pixel.
 */
export function fitWithin(width: number, height: number, longest: number): { width: number; height: number } {
  const scale = Math.min(1, longest / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** For one axis: the output index each source pixel starts in, and the share of it that falls there. */
interface AxisSpans {
  /** First output index that source pixel `i` covers. */
  first: Int32Array;
  /** The part of source pixel `i` that falls into `first[i]`, over the output pixel's size; the rest goes to `first[i] + 1`. */
  weight: Float32Array;
  /** Each output pixel's total weight is 1: a source pixel's full weight is `dst / src`. */
  unit: number;
}

function axisSpans(src: number, dst: number): AxisSpans {
  const first = new Int32Array(src);
  const weight = new Float32Array(src);
  const unit = dst / src;
  for (let i = 0; i < src; i++) {
    const start = i * unit; // in output pixels
    const index = Math.floor(start);
    const end = Math.min(start + unit, dst);
    first[i] = index;
    weight[i] = Math.min(end, index + 1) - start;
  }
  return { first, weight, unit };
}

/**
 * Shrinks `image` to `width`×`height` (each no larger than the source's) by area averaging.
 * Colours are averaged weighted by alpha, so transparent pixels do not darken the edges.
 */
export function downscale(image: RgbaImage, width: number, height: number): RgbaImage {
  if (width > image.width || height > image.height) throw new RangeError('downscale never enlarges an image');
  const xs = axisSpans(image.width, width);
  const ys = axisSpans(image.height, height);
  const sums = new Float64Array(width * height * 4);
  const row = new Float64Array(width * 4);
  for (let y = 0; y < image.height; y++) {
    sumRow(image, y, xs, row);
    const oy = ys.first[y] ?? 0;
    const wy = ys.weight[y] ?? 0;
    addRow(sums, row, oy * width * 4, wy);
    if (wy < ys.unit && oy + 1 < height) addRow(sums, row, (oy + 1) * width * 4, ys.unit - wy);
  }
  return { width, height, data: toBytes(sums) };
}

/** One source row, averaged horizontally into `row` (premultiplied by alpha). */
function sumRow(image: RgbaImage, y: number, xs: AxisSpans, row: Float64Array): void {
  row.fill(0);
  const { data } = image;
  const last = row.length / 4 - 1;
  for (let x = 0, i = y * image.width * 4; x < image.width; x++, i += 4) {
    const alpha = (data[i + 3] ?? 0) / 255;
    const ox = xs.first[x] ?? 0;
    const wx = xs.weight[x] ?? 0;
    accumulate(row, ox * 4, data, i, alpha, wx);
    if (wx < xs.unit && ox < last) accumulate(row, (ox + 1) * 4, data, i, alpha, xs.unit - wx);
  }
}

function accumulate(row: Float64Array, at: number, data: Uint8Array, i: number, alpha: number, weight: number): void {
  const w = weight * alpha;
  row[at] = (row[at] ?? 0) + (data[i] ?? 0) * w;
  row[at + 1] = (row[at + 1] ?? 0) + (data[i + 1] ?? 0) * w;
  row[at + 2] = (row[at + 2] ?? 0) + (data[i + 2] ?? 0) * w;
  row[at + 3] = (row[at + 3] ?? 0) + 255 * w;
}

function addRow(sums: Float64Array, row: Float64Array, at: number, weight: number): void {
  for (let i = 0; i < row.length; i++) sums[at + i] = (sums[at + i] ?? 0) + (row[i] ?? 0) * weight;
}

/** Un-premultiplies and rounds to bytes. */
function toBytes(sums: Float64Array): Uint8Array {
  const out = new Uint8Array(sums.length);
  for (let i = 0; i < sums.length; i += 4) {
    const alpha = sums[i + 3] ?? 0;
    const scale = alpha > 0 ? 255 / alpha : 0;
    out[i] = Math.round((sums[i] ?? 0) * scale);
    out[i + 1] = Math.round((sums[i + 1] ?? 0) * scale);
    out[i + 2] = Math.round((sums[i + 2] ?? 0) * scale);
    out[i + 3] = Math.round(alpha);
  }
  return out;
}
