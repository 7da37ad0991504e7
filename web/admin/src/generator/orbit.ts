// Orbit and zoom of the live view: moves an absolute camera around its target (Y up), the way a model viewer does.
import type {AbsoluteCamera} from './messages';

type Vec3 = [number, number, number];

const MAX_PITCH = (89 * Math.PI) / 180;

/** The camera turned by `dYaw`/`dPitch` radians around its target and moved `zoom` times as far from it. */
export function orbit(camera: AbsoluteCamera, dYaw: number, dPitch: number, zoom = 1): AbsoluteCamera {
  const [tx, ty, tz] = camera.target;
  const offset: Vec3 = [camera.position[0] - tx, camera.position[1] - ty, camera.position[2] - tz];
  const radius = Math.hypot(...offset) || 1;
  const yaw = Math.atan2(offset[0], offset[2]) + dYaw;
  const pitch = Math.max(-MAX_PITCH, Math.min(MAX_PITCH, Math.asin(offset[1] / radius) + dPitch));
  const distance = Math.max(1e-4, radius * zoom);
  return {
    position: [tx + distance * Math.cos(pitch) * Math.sin(yaw), ty + distance * Math.sin(pitch),
               tz + distance * Math.cos(pitch) * Math.cos(yaw)],
    target: [tx, ty, tz],
    up: [0, 1, 0],
    fov_y_degrees: camera.fov_y_degrees,
  };
}
