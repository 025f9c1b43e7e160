// Rendered in the browser only: the API on the same origin serves the data.
export const ssr = false;
export const prerender = false;
