// The same app with JSON over text frames instead of CBOR.
import { RpcV1 } from '@cbor-rpc/rpc';
import { JsonTextTransformer } from '@cbor-rpc/transform-json';
import { WebSocketPipe } from '@cbor-rpc/websocket';

export async function start(url: string): Promise<RpcV1> {
  const pipe = await WebSocketPipe.connect(url, { frames: 'text' });
  return RpcV1.readOnlyClient(new JsonTextTransformer().applyTransformer(pipe));
}
