/**
 * The conversation's styles, shared by the page and the widget: sizes in em (never rem: inside the
 * widget's shadow root rem would follow the host page's root font size), colours from --pc-*
 * variables that the page and the widget define.
 */
import composer from './composer.css';
import evidence from './evidence.css';
import paper from './paper.css';
import thread from './thread.css';

export const chatCss = thread + composer + paper + evidence;
