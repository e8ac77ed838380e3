// What the toolkit needs from the page's Content-Security-Policy beyond styles from the webview's
// origin. Pure data with no imports: the one file of webview/ the host may import (biome.json),
// so the CSP it serves changes together with the toolkit.

/**
 * The one inline style the UI toolkit needs: FAST probes `:focus-visible` support once by appending
 * an *empty* <style> element. Allowing exactly the hash of the empty string permits that probe and
 * nothing else.
 */
export const TOOLKIT_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";
