def analyse_module(module, src, cfg, enabled, explain=False):
    return []
