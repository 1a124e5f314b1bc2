/*
 * tagger_model.S: the tagger's model (tagger.c) embedded in the library,
 * 16-aligned between two hidden symbols. The Makefile passes the model
 * file's path as NM_TAGGER_MODEL_PATH (a string); without it the model is
 * empty and the tagger is off (the trainer links this empty form).
 */
	.section .rodata
	.balign 16
	.globl nm__tagger_model
	.hidden nm__tagger_model
nm__tagger_model:
#ifdef NM_TAGGER_MODEL_PATH
	.incbin NM_TAGGER_MODEL_PATH
#endif
	.globl nm__tagger_model_end
	.hidden nm__tagger_model_end
nm__tagger_model_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
