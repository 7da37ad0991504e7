// SSIM of two greyscale images (Wang et al. 2004): 11×11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, L 255, the
// mean of the SSIM map over the positions where the window fits. Used by bench/web_parity.mjs.

// Rec. 601 luma of RGBA bytes → Float64Array of width × height.
export function greyOfRgba(rgba, width, height) {
  const grey = new Float64Array(width * height);
  for (let i = 0; i < grey.length; ++i) grey[i] = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
  return grey;
}

const RADIUS = 5, SIGMA = 1.5;
const KERNEL = (() => {
  const k = [];
  for (let i = -RADIUS; i <= RADIUS; ++i) k.push(Math.exp(-(i * i) / (2 * SIGMA * SIGMA)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
})();

// Separable Gaussian blur, 'valid' region only: (width − 2r) × (height − 2r).
function blur(image, width, height) {
  const w = width - 2 * RADIUS, h = height - 2 * RADIUS;
  const rows = new Float64Array(w * height);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < w; ++x) {
      let s = 0;
      for (let k = 0; k < KERNEL.length; ++k) s += KERNEL[k] * image[y * width + x + k];
      rows[y * w + x] = s;
    }
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; ++y) {
    for (let x = 0; x < w; ++x) {
      let s = 0;
      for (let k = 0; k < KERNEL.length; ++k) s += KERNEL[k] * rows[(y + k) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}

export function ssim(a, b, width, height) {
  if (a.length !== width * height || b.length !== width * height) throw new Error('ssim: size mismatch');
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  const product = (x, y) => x.map((v, i) => v * y[i]);
  const muA = blur(a, width, height), muB = blur(b, width, height);
  const aa = blur(product(a, a), width, height), bb = blur(product(b, b), width, height);
  const ab = blur(product(a, b), width, height);
  let sum = 0;
  for (let i = 0; i < muA.length; ++i) {
    const varA = aa[i] - muA[i] * muA[i], varB = bb[i] - muB[i] * muB[i], cov = ab[i] - muA[i] * muB[i];
    sum += ((2 * muA[i] * muB[i] + C1) * (2 * cov + C2)) /
        ((muA[i] * muA[i] + muB[i] * muB[i] + C1) * (varA + varB + C2));
  }
  return sum / muA.length;
}
