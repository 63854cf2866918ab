// Names the messages of the wire protocol (docs/protocol.md) for `decode`.
// It only labels what it sees; whether a message is valid is rpc's to say.

/** A message with its kind named and its fields labelled. */
export interface NamedMessage {
  /** `call`, `fire`, `reply`, `cancel`, `log`, `progress`, `event`, or `unknown`. */
  type: string;
  /** The fields after the protocol and sub-code, by name; an unknown message has the whole message as `message`. */
  fields: [name: string, value: unknown][];
}

// [protocol, sub-code] -> kind and the names of the fields after them.
const shapes = new Map<string, { type: string; fields: string[] }>([
  ['1,0', { type: 'call', fields: ['id', 'method', 'args'] }],
  ['1,1', { type: 'fire', fields: ['id', 'method', 'args'] }],
  ['1,2', { type: 'reply', fields: ['id', 'ok', 'value'] }],
  ['1,3', { type: 'cancel', fields: ['id'] }],
  ['2,0', { type: 'log', fields: ['id', 'level', 'content'] }],
  ['2,1', { type: 'progress', fields: ['id', 'value', 'metadata'] }],
  ['3,0', { type: 'event', fields: ['topic', 'message'] }],
]);

/** Names `message`; anything not shaped like a message of the protocol is `unknown`. */
export function nameMessage(message: unknown): NamedMessage {
  const shape = Array.isArray(message) ? shapes.get(`${String(message[0])},${String(message[1])}`) : undefined;
  if (shape === undefined || (message as unknown[]).length !== shape.fields.length + 2) return { type: 'unknown', fields: [['message', message]] };
  return { type: shape.type, fields: shape.fields.map((name, index) => [name, (message as unknown[])[index + 2]]) };
}
