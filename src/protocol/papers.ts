import { z } from 'zod';

/**
 * `GET /api/papers/:id`: a paper's record as the collection holds it. `url`, `authors` and `year`
 * are there when the corpus has them. One definition for the server and, as types only, the
 * browser code.
 */
export const PaperSchema = z.object({
  id: z.string(),
  title: z.string(),
  abstract: z.string(),
  url: z.string().optional(),
  authors: z.array(z.string()).optional(),
  year: z.number().optional(),
});
export type Paper = z.infer<typeof PaperSchema>;

/** The reference formats of `GET /api/papers/:id/cite?format=`: BibTeX and RIS text, CSL-JSON an array of one item. */
export const CITE_FORMATS = ['bibtex', 'ris', 'csl'] as const;
export type CiteFormat = (typeof CITE_FORMATS)[number];
