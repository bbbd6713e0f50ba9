import fc from 'fast-check';

/**
 * Text as JavaScript holds it: any UTF-16 code units, so lone surrogates and control characters come up as often as
 * printable ASCII, quotes and backslashes (the characters JSON escapes), besides code points outside the BMP.
 */
const codeUnit = fc.oneof(
  fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', 'é', '😀'),
  fc.integer({ min: 0x20, max: 0x7e }).map((unit) => String.fromCharCode(unit)),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((point) => String.fromCodePoint(point)),
);

export function anyText(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: codeUnit, ...constraints });
}
