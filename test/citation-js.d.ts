// The part of citation.js's (untyped) API the reference tests use.
declare module '@citation-js/core' {
  export class Cite {
    static async(data: unknown, options?: { forceType?: string }): Promise<Cite>;
    data: unknown[];
    format(name: string, options?: Record<string, unknown>): string;
  }
}
declare module '@citation-js/plugin-ris';
