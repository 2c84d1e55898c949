import { int, section, str } from './option.dsl';

/** `[quota]`: default per-project limits. */
export const quotaSection = section('quota', 'Default quotas of a project (-1: unlimited).', {
  containers: int({ default: 40, min: -1, help: 'Containers a project may have.' }),
  memory: int({ default: 51200, min: -1, unit: 'MiB', help: 'Memory, in MiB, the containers of a project may use.' }),
  cpu: int({ default: 20, min: -1, help: 'Virtual CPUs the containers of a project may use.' }),
  disk: int({ default: 100, min: -1, unit: 'GiB', help: 'Disk, in GiB, the containers of a project may use.' }),
  driver: str({ default: 'database', help: 'Where quotas and usage are kept.' }),
});
