import { encodeCbor } from '@cbor-rpc/transform-cbor';
import { diagnose } from 'cbor2';

/** `value` in CBOR diagnostic notation (RFC 8949, section 8), as its CBOR encoding reads. */
export function formatDiagnostic(value: unknown): string {
  return diagnose(encodeCbor(value));
}
