/**
 * Container and cloud commands that delete data or infrastructure in bulk:
 * - `docker`/`podman system prune -a|--all|--volumes`, `docker volume prune|rm`, `docker compose down -v` (and
 *   `docker-compose`);
 * - `kubectl`/`oc delete` of namespaces, persistent volumes (and claims), nodes, CRDs or `all`, or with `--all` /
 *   `-A` / `--all-namespaces`;
 * - `terraform`/`tofu`/`terragrunt`/`pulumi`/`cdk destroy`, `terraform apply -destroy`;
 * - `aws s3 rm --recursive`, `aws s3 rb --force`, any `aws <service> delete-…|terminate-…`;
 * - `gcloud … delete`, `az … delete`, `gsutil rm -r|rb`, `gcloud storage rm -r`.
 * Safe look-alikes: `docker system prune` (dangling data only), `docker rm container`, `kubectl delete pod x`
 * (recreated by its controller), `terraform plan -destroy`, `aws s3 rm s3://bucket/one-key`, `aws s3 ls`.
 */
import { hasOption, operands, options, type Invocation } from './invocation.js';
import type { Word } from './tokenize.js';

const CONTAINER_CLIS = new Set(['docker', 'podman', 'nerdctl']);
const KUBE_CLIS = new Set(['kubectl', 'oc', 'k']);
const IAC_CLIS = new Set(['terraform', 'tofu', 'terragrunt', 'pulumi', 'cdk', 'cdktf']);
/** Programs this family looks at. */
export const CLOUD_PROGRAMS: readonly string[] = [
  ...CONTAINER_CLIS, ...KUBE_CLIS, ...IAC_CLIS, 'docker-compose', 'podman-compose', 'aws', 'gcloud', 'az', 'gsutil',
];
const KUBE_BULK_TYPES = new Set([
  'namespace', 'namespaces', 'ns', 'pv', 'pvc', 'persistentvolume', 'persistentvolumes', 'persistentvolumeclaim',
  'persistentvolumeclaims', 'node', 'nodes', 'no', 'crd', 'crds', 'customresourcedefinition',
  'customresourcedefinitions', 'all',
]);

export function isDestructiveCloudCommand(inv: Invocation): boolean {
  const name = inv.name;
  const args = inv.args;
  if (CONTAINER_CLIS.has(name)) return isContainerWipe(args);
  if (name === 'docker-compose' || name === 'podman-compose') return isComposeDownVolumes(args);
  if (KUBE_CLIS.has(name)) return isKubeBulkDelete(args);
  if (IAC_CLIS.has(name)) return isInfrastructureDestroy(args);
  if (name === 'aws') return isAwsDelete(args);
  if (name === 'gcloud' || name === 'az') return isGroupDelete(args);
  if (name === 'gsutil') return isGsutilWipe(args);
  return false;
}

function words(args: readonly Word[]): string[] {
  return operands(args).map((w) => w.text);
}

function isContainerWipe(args: readonly Word[]): boolean {
  const ops = words(args);
  const opts = options(args);
  if (ops[0] === 'system' && ops[1] === 'prune') return hasOption(opts, 'a', '--all') || hasOption(opts, undefined, '--volumes');
  if (ops[0] === 'volume') return ops[1] === 'prune' || ops[1] === 'rm';
  if (ops[0] === 'compose') return isComposeDownVolumes(args);
  return false;
}

function isComposeDownVolumes(args: readonly Word[]): boolean {
  return words(args).includes('down') && hasOption(options(args), 'v', '--volumes');
}

function isKubeBulkDelete(args: readonly Word[]): boolean {
  const ops = words(args);
  const at = ops.indexOf('delete');
  if (at === -1) return false;
  const opts = options(args);
  if (hasOption(opts, undefined, '--all') || hasOption(opts, undefined, '--all-namespaces') || opts.includes('-A')) return true;
  if (hasOption(opts, undefined, '--dry-run')) return false;
  const kinds = (ops[at + 1] ?? '').toLowerCase().split(',');
  return kinds.some((kind) => KUBE_BULK_TYPES.has(kind.split('/')[0]!));
}

function isInfrastructureDestroy(args: readonly Word[]): boolean {
  const ops = words(args);
  if (ops.includes('destroy')) return true;
  return ops.includes('apply') && (options(args).includes('-destroy') || options(args).includes('--destroy'));
}

function isAwsDelete(args: readonly Word[]): boolean {
  const ops = words(args);
  const opts = options(args);
  const s3 = ops.indexOf('s3');
  if (s3 !== -1 && ops[s3 + 1] === 'rm') return hasOption(opts, undefined, '--recursive');
  if (s3 !== -1 && ops[s3 + 1] === 'rb') return hasOption(opts, undefined, '--force');
  return ops.some((action) => action.startsWith('delete-') || action.startsWith('terminate-'));
}

function isGroupDelete(args: readonly Word[]): boolean {
  const ops = words(args);
  if (ops[0] === 'storage' && ops[1] === 'rm') return hasOption(options(args), 'r', '--recursive');
  return ops.includes('delete');
}

function isGsutilWipe(args: readonly Word[]): boolean {
  const ops = words(args);
  const at = ops.findIndex((w) => w === 'rm' || w === 'rb');
  if (at === -1) return false;
  return ops[at] === 'rb' || hasOption(options(args), 'r', undefined) || hasOption(options(args), 'R', undefined);
}
