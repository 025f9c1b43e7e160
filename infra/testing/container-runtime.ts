/**
 * Whether testcontainers can reach a container runtime here. EventStoreDB exists only as an
 * image, so its suite runs where a runtime does and is skipped, with the reason printed, where not.
 */
export async function containerRuntimeUnavailable(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no container runtime (${(error as Error).message.split('\n')[0]})`;
  }
}
