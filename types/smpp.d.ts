/**
 * Types for the parts of `smpp` 0.5.1 (node-smpp, which ships none) that this repository uses.
 * Field names follow the SMPP specification, as the package does. A decoded PDU carries only the
 * fields its command defines, so each interface below describes one command as the package
 * decodes it (lib/pdu.js, lib/defs.js).
 */
declare module 'smpp' {
  import { EventEmitter } from 'events';
  import { Server as NetServer, Socket, TcpNetConnectOpts } from 'net';

  /**
   * A short_message or message_payload as decoded by the package. `message` is a string when the
   * package can decode the data_coding (0 and 1 as GSM 03.38, 3 as Latin-1, 8 as UCS-2), and the
   * raw octets otherwise. `udh` is present when esm_class has the UDH indicator set.
   */
  export interface DecodedMessage {
    readonly message: string | Buffer;
    readonly udh?: Buffer[];
  }

  /**
   * A message to encode: a string is encoded according to the PDU's data_coding (0 = GSM 03.38
   * unpacked, 8 = UCS-2 big endian), or by detection when data_coding is absent. A Buffer is sent as is.
   */
  export type MessageValue = string | Buffer | { readonly udh: Buffer; readonly message: string | Buffer };

  export interface ResponseParams {
    command_status?: number;
    /** submit_sm_resp, deliver_sm_resp. */
    message_id?: string;
    /** bind_*_resp: the identifier of the MC. */
    system_id?: string;
  }

  export interface BindParams {
    system_id: string;
    password: string;
    system_type?: string;
    /** 0x34 for SMPP 3.4; the package defaults to 0x50 (SMPP 5.0). */
    interface_version?: number;
    addr_ton?: number;
    addr_npi?: number;
    address_range?: string;
  }

  export interface ShortMessageParams {
    service_type?: string;
    source_addr_ton?: number;
    source_addr_npi?: number;
    source_addr?: string;
    dest_addr_ton?: number;
    dest_addr_npi?: number;
    destination_addr: string;
    esm_class?: number;
    protocol_id?: number;
    priority_flag?: number;
    registered_delivery?: number;
    data_coding?: number;
    short_message?: MessageValue;
    /** TLV 0x0424 (SMPP 3.4, section 5.3.2.32), for user data longer than short_message can carry. */
    message_payload?: MessageValue;
  }

  export type SubmitSmParams = ShortMessageParams;

  export interface DeliverSmParams extends ShortMessageParams {
    /** TLV 0x001E: the message id of the submit that this receipt reports on. */
    receipted_message_id?: string;
    /** TLV 0x0427: the final message state reported by a receipt (SMPP 3.4, section 5.3.2.35). */
    message_state?: number;
  }

  /** Every PDU, request or response, as created or decoded by the package. */
  export class PDU {
    constructor(command: 'submit_sm', params: SubmitSmParams);
    constructor(command: 'deliver_sm', params: DeliverSmParams);

    /** Command name from the specification, or 'unknown' for a command id the package does not define. */
    readonly command: string;
    readonly command_id: number;
    readonly command_length: number;
    readonly command_status: number;
    /** Assigned by `Session.send` when it is 0. */
    sequence_number: number;

    isResponse(): boolean;
    /** Creates the response to this request; a `generic_nack` when the command is unknown. */
    response(params?: ResponseParams): PDU;
    toBuffer(): Buffer;

    /** Largest command_length accepted when reading; larger PDUs raise an 'error' on the session. */
    static maxLength: number;
  }

  export interface BindPdu extends PDU {
    readonly command: 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver';
    readonly system_id: string;
    readonly password: string;
    readonly system_type: string;
    readonly interface_version: number;
  }

  export interface BindRespPdu extends PDU {
    readonly command: 'bind_transceiver_resp' | 'bind_transmitter_resp' | 'bind_receiver_resp';
    /** Absent when the MC sends no body, as node-smpp does with an error status. */
    readonly system_id?: string;
  }

  interface ShortMessagePdu extends PDU {
    readonly service_type: string;
    readonly source_addr_ton: number;
    readonly source_addr_npi: number;
    readonly source_addr: string;
    readonly dest_addr_ton: number;
    readonly dest_addr_npi: number;
    readonly destination_addr: string;
    readonly esm_class: number;
    readonly registered_delivery: number;
    readonly data_coding: number;
    /** Absent only when a peer sent a body that ends before it. */
    readonly short_message?: DecodedMessage;
    readonly message_payload?: DecodedMessage;
  }

  export interface SubmitSmPdu extends ShortMessagePdu {
    readonly command: 'submit_sm';
  }

  export interface DeliverSmPdu extends ShortMessagePdu {
    readonly command: 'deliver_sm';
    readonly receipted_message_id?: string;
    readonly message_state?: number;
  }

  export interface MessageIdRespPdu extends PDU {
    readonly command: 'submit_sm_resp' | 'deliver_sm_resp';
    /** Absent when the peer sends no body, as node-smpp does with an error status. */
    readonly message_id?: string;
  }

  export type SessionEvents = {
    connect: [];
    close: [];
    error: [error: Error];
    pdu: [pdu: PDU];
    unknown: [pdu: PDU];
    bind_transceiver: [pdu: BindPdu];
    bind_transmitter: [pdu: BindPdu];
    bind_receiver: [pdu: BindPdu];
    submit_sm: [pdu: SubmitSmPdu];
    submit_sm_resp: [pdu: MessageIdRespPdu];
    deliver_sm: [pdu: DeliverSmPdu];
    deliver_sm_resp: [pdu: MessageIdRespPdu];
    enquire_link: [pdu: PDU];
    enquire_link_resp: [pdu: PDU];
    unbind: [pdu: PDU];
    unbind_resp: [pdu: PDU];
    generic_nack: [pdu: PDU];
  };

  /** One SMPP connection, on the ESME side (from `connect`) or the MC side (from a server). */
  export class Session extends EventEmitter<SessionEvents> {
    readonly socket: Socket;

    /**
     * Writes a PDU and returns false, writing nothing, when the socket is not writable. A request
     * gets the next sequence number; `responseCallback` receives its response PDU.
     */
    send(pdu: PDU, responseCallback?: (response: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;

    bind_transceiver(params: BindParams, responseCallback?: (response: BindRespPdu) => void): boolean;
    bind_transmitter(params: BindParams, responseCallback?: (response: BindRespPdu) => void): boolean;
    bind_receiver(params: BindParams, responseCallback?: (response: BindRespPdu) => void): boolean;
    submit_sm(params: SubmitSmParams, responseCallback?: (response: MessageIdRespPdu) => void): boolean;
    deliver_sm(params: DeliverSmParams, responseCallback?: (response: MessageIdRespPdu) => void): boolean;
    enquire_link(responseCallback?: (response: PDU) => void): boolean;
    unbind(responseCallback?: (response: PDU) => void): boolean;

    /** Ends the socket gracefully; `callback` runs on 'close'. */
    close(callback?: () => void): void;
    /** Destroys the socket at once; `callback` runs on 'close'. */
    destroy(callback?: () => void): void;
  }

  export interface ConnectOptions extends TcpNetConnectOpts {
    /** Sends enquire_link at this period in ms, without checking for the response. */
    auto_enquire_link_period?: number;
  }

  /** A `net.Server` whose connections are SMPP sessions. */
  export class Server extends NetServer {
    /** Open sessions; a session leaves the list when its socket closes. */
    readonly sessions: Session[];
  }

  export function connect(options: ConnectOptions, connectListener?: () => void): Session;
  export function createServer(sessionListener: (session: Session) => void): Server;

  export interface Encoding {
    /** Whether every character of `text` exists in this encoding. */
    match(text: string): boolean;
    encode(text: string): Buffer;
    decode(octets: Buffer): string;
  }

  /** `ASCII` is GSM 03.38 (unpacked, one octet per septet), used for data_coding 0 and 1. */
  export const encodings: {
    readonly ASCII: Encoding;
    readonly LATIN1: Encoding;
    readonly UCS2: Encoding;
  };

  /** command_status values by name (SMPP 3.4, section 5.1.3), e.g. `errors.ESME_RTHROTTLED`. */
  export const errors: { readonly [name: string]: number };

  export const ESME_ROK: number;
  export const ESME_RINVMSGLEN: number;
  export const ESME_RINVCMDID: number;
  export const ESME_RINVBNDSTS: number;
  export const ESME_RALYBND: number;
  export const ESME_RSYSERR: number;
  export const ESME_RINVSRCADR: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RINVSYSID: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RX_T_APPN: number;
  export const ESME_RX_P_APPN: number;
}
