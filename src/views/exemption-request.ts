// "Ask the platform team for an exemption": a mailto link to the platform contact (PLATFORM_CONTACT), pre-filled with
// what the platform team needs to create the exemption (POST /api/exemptions): the resource, the rule, who asks, and
// the two things only the owner can say — until when, and why. Used by the digest e-mails and the dashboard alike.

export interface ExemptionRequestSubject {
  readonly resourceId: string;
  readonly resourceName: string;
  readonly ruleId: string;
  /** Who asks (the digest's recipient, the view's owner), when known. */
  readonly requester?: string | undefined;
}

/** A `mailto:` URL (RFC 6068): every part percent-encoded, so it is safe in an attribute once HTML-escaped. */
export function exemptionRequestHref(contact: string, subject: ExemptionRequestSubject): string {
  const body = [
    'Please exempt this finding from the readiness scanner:',
    '',
    `Resource: ${subject.resourceId}`,
    `Rule: ${subject.ruleId}`,
    ...(subject.requester ? [`Requested by: ${subject.requester}`] : []),
    'Until (YYYY-MM-DD): ',
    'Why: ',
  ].join('\r\n');
  const to = encodeURIComponent(contact).replace(/%40/g, '@');
  return `mailto:${to}?subject=${encodeURIComponent(
    `Exemption request: ${subject.ruleId} on ${subject.resourceName}`,
  )}&body=${encodeURIComponent(body)}`;
}
