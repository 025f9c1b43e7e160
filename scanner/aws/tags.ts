/** AWS's `[{ Key, Value }]` tag lists as a map; entries without a key are not tags. */
export function tagMap(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

/** The `Name` tag, which the console shows as the resource's name, else the fallback (its id). */
export function nameFromTags(tags: Record<string, string>, fallback: string): string {
  return tags.Name || fallback;
}
