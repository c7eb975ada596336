/** Sizes of the wire contract, checked by the server and respected by the browser code. */

/** Characters in one message. */
export const MAX_MESSAGE_CHARS = 8000;
/** Turns in one request. */
export const MAX_TURNS = 50;
/** Paper ids an assistant turn may carry as its citations. */
export const MAX_CITED_IDS = 20;
