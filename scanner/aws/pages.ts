/**
 * Every item of a small paged listing (a user's tags, keys, attached policies): these are bounded
 * by IAM quotas, so holding them is fine, and following every token means moto ignoring
 * pagination and AWS honouring it read the same.
 */
export async function everyItem<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined): Promise<Item[]> {
  const all: Item[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}
