// The agent's capture path on one bridge, for the benches that capture live (live-agent.ts,
// alert-storm.ts): the capture child, the decoder and the flow table as the agent runs them
// (attribution by no CIDR: every address external), counting what arrives and how late.
import { BridgeCapture } from '../collector/packets/index.ts';
import { CidrAttributor, PacketProcessor } from '../collector/flows/index.ts';

export class BenchCapture {
  received = 0;
  /** Kernel timestamp → handled, ms, for every 64th packet (empty it to start a round). */
  lags: number[] = [];
  readonly capture: BridgeCapture;
  /** Resolves when the capture child is attached. */
  readonly up: Promise<void>;

  constructor(bridge: string) {
    const processor = new PacketProcessor({
      host: 'bench',
      maxFlows: 100_000,
      attributor: new CidrAttributor({}),
      emit: () => undefined,
    });
    let attached = () => {};
    this.up = new Promise((resolve) => (attached = resolve));
    this.capture = new BridgeCapture({
      iface: bridge,
      snaplen: 256,
      filter: '',
      onPacket: (buf, caplen, linkType, at) => {
        this.received++;
        if ((this.received & 63) === 0) this.lags.push(Date.now() - at);
        processor.handle(bridge, buf, caplen, linkType, at);
      },
      onUp: () => attached(),
      onExit: (reason) => process.stderr.write(`capture ended: ${reason}\n`),
    });
  }
}
