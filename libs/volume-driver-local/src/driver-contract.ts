// The VolumeDriver contract this lib implements, re-exported for the files of this lib.
export * from '@zun-ts/volume-driver';
