/** `tafuta fetch-model`: copy a Hugging Face Hub model into a models directory once, to load offline afterwards. */
import { Option, type Command } from 'commander';
import { CliError } from '../../core/cli.js';
import { fetchHubModel } from './fetch.js';
import { TRANSFORMERS_DTYPES, type TransformersDtype } from './settings.js';

/** What the composition root (bin/) hands `fetch-model`. */
export interface FetchModelCliRuntime {
  /** The directories given by --models-dir / $TAFUTA_MODELS_DIR; the model is copied into the first. */
  modelsDirs(): string[];
}

export function registerFetchModelCommand(program: Command, runtime: FetchModelCliRuntime): void {
  program
    .command('fetch-model')
    .description('copy a Hugging Face Hub model with ONNX files into the first --models-dir, once (needs TAFUTA_ALLOW_REMOTE_MODELS=1)')
    .argument('<id>', 'hub repository id (owner/name) that has onnx/model*.onnx, e.g. Xenova/multilingual-e5-small')
    .addOption(new Option('--dtype <dtype>', 'which ONNX file: fp32 = onnx/model.onnx, q8 = onnx/model_quantized.onnx, fp16 = onnx/model_fp16.onnx…').choices(TRANSFORMERS_DTYPES).default('fp32'))
    .option('--name <name>', 'directory (and encoder) name (default: the last part of the id)')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .action(async (id: string, options: { dtype: TransformersDtype; name?: string; revision: string }) => {
      const modelsDir = runtime.modelsDirs()[0];
      if (modelsDir === undefined) throw new CliError('give the models directory to copy into: --models-dir DIR (or TAFUTA_MODELS_DIR)');
      const dir = await fetchHubModel({
        id,
        modelsDir,
        dtype: options.dtype,
        revision: options.revision,
        ...(options.name ? { name: options.name } : {}),
        ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
        ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
      });
      process.stdout.write(`wrote ${dir}; it loads offline from now on (tafuta --models-dir ${modelsDir} …)\n`);
    });
}
