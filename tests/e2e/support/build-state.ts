/** Whether `.next` holds a production build newer than every dashboard source (as `npm start` decides). */
import { nextBuildIsCurrent } from '../../../server/build-freshness';
import { ROOT } from './processes';

/** True when a build exists and no input changed after it. */
export function buildIsCurrent(): boolean {
  return nextBuildIsCurrent(ROOT);
}
