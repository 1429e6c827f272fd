export declare const root: string
export interface BundleOptions {
  entry: string
  outfile?: string
  write?: boolean
  minify?: boolean
  sourcemap?: boolean | 'inline'
  external?: string[]
}
export declare const SHARED_WITH_APP: string[]
export declare function bundle (options: BundleOptions): Promise<{ code: string, bytes: number, ms: number }>
