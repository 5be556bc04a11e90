/**
 * Responses that leave their route with every header they will be sent with (CORS and the configuration
 * version included), so the app's middleware adds nothing to them. Setting a header on `c.res` after the
 * route turns the Node server's lightweight Response into a Fetch Response with a Fetch `Headers`, whose
 * checks on every name and value cost a cached answer in the app about a fifth of its time; a header
 * record given to the Response at once is written to the socket as it is.
 */
const finals = new WeakSet<Response>();

/**
 * @example
 * return responseWithFinalHeaders(body, 200, { ...headers, ...corsHeaders, 'X-Personalization-Config-Version': '3' });
 */
export function responseWithFinalHeaders(
  body: string | Uint8Array<ArrayBuffer>,
  status: number,
  headers: Record<string, string>,
): Response {
  const res = new Response(body, { status, headers });
  finals.add(res);
  return res;
}

/** Whether `res` already carries every header (the middleware must leave it alone). */
export const hasFinalHeaders = (res: Response): boolean => finals.has(res);
