/** A pipeline's replies in order; the first command that failed fails the whole read (ioredis reports each beside the others). */
export { pipelineReplies as pipelineResults } from '@chirp/platform';
