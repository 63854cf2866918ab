// What a browser app that talks RPC over WebSocket imports: the measured bundle.
import { RpcV1 } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { WebSocketPipe } from '@cbor-rpc/websocket';

export async function start(url: string): Promise<RpcV1> {
  const pipe = await WebSocketPipe.connect(url);
  return RpcV1.readOnlyClient(new CborTransformer().applyTransformer(pipe));
}
