// The packets source's door: frames from the bridges (live, in time order across bridges) or from
// a capture file, and the decoder that reads their headers.
export { LivePackets, type DeliverPacket, type LivePacketsOptions } from './live-packets.ts';
export { BridgeCapture } from './bridge-capture.ts';
export { CaptureFile, PcapFileError } from './pcap-file.ts';
export { NetworkResolver } from './network-resolver.ts';
export { DnsNames, parseDnsMessage, parseDnsResponse, type DnsAnswer } from './dns-answers.ts';
export { DnsQueries, dnsQueryKey, type AnswerVerdict } from './dns-trust.ts';
export * from './packet-decoder.ts';
