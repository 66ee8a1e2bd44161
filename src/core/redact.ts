// Credentials out of every message a person or a log sees: SAS signatures, user:password@ in URLs, account and
// access keys, shared access signatures, passwords and bearer tokens in connection strings or headers.

const RULES: readonly { readonly pattern: RegExp; readonly replace: string }[] = [
  // scheme://user:password@host -> scheme://***@host (the user name can be a secret too).
  { pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^/\s@?#]{1,512}@/gi, replace: '$1***@' },
  // key=value pairs of connection strings and query strings.
  {
    pattern:
      /\b(sig|accountkey|accesskey|sharedaccesskey|sharedaccesssignature|password|pwd|secret|client_secret|code|token|access_token|apikey|api-key)=[^;&\s"'<>]{1,4096}/gi,
    replace: '$1=***',
  },
  { pattern: /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,4096}/gi, replace: '$1 ***' },
];

/** The text with every credential it holds replaced by `***`. */
export function redact(text: string): string {
  let out = text;
  for (const { pattern, replace } of RULES) out = out.replace(pattern, replace);
  return out;
}
