/** Types for murmurhash3js-revisited 3.0.0 (no bundled types): only what camsweep calls. */
declare module 'murmurhash3js-revisited' {
  interface Hash32 {
    /** MurmurHash3 x86 32-bit of the bytes; an unsigned 32-bit integer. */
    hash32(bytes: Uint8Array, seed?: number): number;
  }
  const murmur: { x86: Hash32 };
  export default murmur;
}
