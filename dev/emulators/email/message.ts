// Validates an `emails:send` body against the EmailMessage schema of the 2025-09-01 REST spec.

/** The service's cap on to + cc + bcc in one request. */
export const MAX_RECIPIENTS = 50;

export interface EmailAddress {
  address: string;
  displayName?: string;
}

export interface EmailAttachment {
  name: string;
  contentType: string;
  contentInBase64: string;
  contentId?: string;
}

/** A request body that passed validation; optional parts are normalised to empty values. */
export interface EmailMessage {
  senderAddress: string;
  content: { subject: string; plainText?: string; html?: string };
  recipients: { to: EmailAddress[]; cc: EmailAddress[]; bcc: EmailAddress[] };
  replyTo: EmailAddress[];
  headers: Record<string, string>;
  attachments: EmailAttachment[];
  userEngagementTrackingDisabled?: boolean;
}

export type Validation =
  | { ok: true; message: EmailMessage }
  | { ok: false; code: string; target: string; message: string };

class Invalid extends Error {
  constructor(
    readonly code: string,
    readonly target: string,
    message: string,
  ) {
    super(message);
  }
}

// Deliberately loose: the point is to catch empty or malformed values, not to implement RFC 5321.
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// A header name is printable ASCII without a colon (RFC 5322 §2.2).
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, target: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new Invalid('InvalidRequest', target, `The field '${target}' must be a string.`);
  return value;
}

function requiredString(value: unknown, target: string): string {
  const text = optionalString(value, target);
  if (text === undefined || text.trim() === '') {
    throw new Invalid('InvalidRequest', target, `The field '${target}' is required.`);
  }
  return text;
}

function address(value: unknown, target: string): string {
  const text = requiredString(value, target);
  if (!ADDRESS.test(text))
    throw new Invalid(
      'InvalidEmailAddress',
      target,
      `The field '${target}' is not an e-mail address: "${text}".`,
    );
  return text;
}

function addressList(value: unknown, target: string, required: boolean): EmailAddress[] {
  if (value === undefined || value === null) {
    if (required) throw new Invalid('InvalidRequest', target, `The field '${target}' is required.`);
    return [];
  }
  if (!Array.isArray(value))
    throw new Invalid('InvalidRequest', target, `The field '${target}' must be an array.`);
  return value.map((entry: unknown, i) => {
    const at = `${target}[${i}]`;
    if (!isObject(entry))
      throw new Invalid(
        'InvalidRequest',
        at,
        `The field '${at}' must be an object with an address.`,
      );
    const displayName = optionalString(entry.displayName, `${at}.displayName`);
    return {
      address: address(entry.address, `${at}.address`),
      ...(displayName ? { displayName } : {}),
    };
  });
}

function parse(body: unknown): EmailMessage {
  if (!isObject(body))
    throw new Invalid('InvalidRequest', 'body', 'The request body must be a JSON object.');

  const senderAddress = address(body.senderAddress, 'senderAddress');

  if (!isObject(body.content))
    throw new Invalid('InvalidRequest', 'content', "The field 'content' is required.");
  const subject = requiredString(body.content.subject, 'content.subject');
  const plainText = optionalString(body.content.plainText, 'content.plainText');
  const html = optionalString(body.content.html, 'content.html');
  if (!plainText && !html) {
    throw new Invalid(
      'InvalidRequest',
      'content',
      "One of 'content.plainText' or 'content.html' is required.",
    );
  }

  if (!isObject(body.recipients))
    throw new Invalid('InvalidRequest', 'recipients', "The field 'recipients' is required.");
  const to = addressList(body.recipients.to, 'recipients.to', true);
  const cc = addressList(body.recipients.cc, 'recipients.cc', false);
  const bcc = addressList(body.recipients.bcc, 'recipients.bcc', false);
  const total = to.length + cc.length + bcc.length;
  if (total === 0)
    throw new Invalid(
      'InvalidRequest',
      'recipients',
      "At least one recipient is required in 'recipients'.",
    );
  if (total > MAX_RECIPIENTS) {
    throw new Invalid(
      'TooManyRecipients',
      'recipients',
      `The message has ${total} recipients in 'recipients' (to, cc and bcc); at most ${MAX_RECIPIENTS} are allowed.`,
    );
  }

  const replyTo = addressList(body.replyTo, 'replyTo', false);

  const headers: Record<string, string> = {};
  if (body.headers !== undefined && body.headers !== null) {
    if (!isObject(body.headers))
      throw new Invalid(
        'InvalidRequest',
        'headers',
        "The field 'headers' must be an object of strings.",
      );
    for (const [name, value] of Object.entries(body.headers)) {
      if (!HEADER_NAME.test(name))
        throw new Invalid(
          'InvalidRequest',
          `headers.${name}`,
          `'headers.${name}' is not a valid header name.`,
        );
      if (typeof value !== 'string')
        throw new Invalid(
          'InvalidRequest',
          `headers.${name}`,
          `'headers.${name}' must be a string.`,
        );
      headers[name] = value;
    }
  }

  const attachments: EmailAttachment[] = [];
  if (body.attachments !== undefined && body.attachments !== null) {
    if (!Array.isArray(body.attachments))
      throw new Invalid(
        'InvalidRequest',
        'attachments',
        "The field 'attachments' must be an array.",
      );
    body.attachments.forEach((entry: unknown, i) => {
      const at = `attachments[${i}]`;
      if (!isObject(entry))
        throw new Invalid('InvalidRequest', at, `The field '${at}' must be an object.`);
      const contentInBase64 = requiredString(
        entry.contentInBase64,
        `${at}.contentInBase64`,
      ).replace(/\s+/g, '');
      if (!BASE64.test(contentInBase64)) {
        throw new Invalid(
          'InvalidRequest',
          `${at}.contentInBase64`,
          `The field '${at}.contentInBase64' is not base64.`,
        );
      }
      const contentId = optionalString(entry.contentId, `${at}.contentId`);
      attachments.push({
        name: requiredString(entry.name, `${at}.name`),
        contentType: requiredString(entry.contentType, `${at}.contentType`),
        contentInBase64,
        ...(contentId ? { contentId } : {}),
      });
    });
  }

  const tracking = body.userEngagementTrackingDisabled;
  if (tracking !== undefined && tracking !== null && typeof tracking !== 'boolean') {
    throw new Invalid(
      'InvalidRequest',
      'userEngagementTrackingDisabled',
      "The field 'userEngagementTrackingDisabled' must be a boolean.",
    );
  }

  return {
    senderAddress,
    content: { subject, ...(plainText ? { plainText } : {}), ...(html ? { html } : {}) },
    recipients: { to, cc, bcc },
    replyTo,
    headers,
    attachments,
    ...(typeof tracking === 'boolean' ? { userEngagementTrackingDisabled: tracking } : {}),
  };
}

/** Validates a parsed JSON body; an error names the offending field in both `target` and the message. */
export function validateEmailMessage(body: unknown): Validation {
  try {
    return { ok: true, message: parse(body) };
  } catch (error) {
    if (error instanceof Invalid)
      return { ok: false, code: error.code, target: error.target, message: error.message };
    throw error;
  }
}
