// The packets source's door: frames from the bridges (live, in time order across bridges) or from
// a capture file, and the decoder that reads their headers.
export { LivePackets, type DeliverPacket, type LivePacketsOptions } from './live-packets.ts';
export { BridgeCapture } from './bridge-capture.ts';
export { CaptureFile, PcapFileError } from './pcap-file.ts';
export { NetworkResolver } from './network-resolver.ts';
export { DnsNames, parseDnsResponse, type DnsAnswer } from './dns-answers.ts';
export * from './packet-decoder.ts';
