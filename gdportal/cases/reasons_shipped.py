"""The reasons catalogue as shipped (SPEC §15): Cemig's most frequent reasons first — its guide for RTs names
coordinates more than 100 m from the unit's address as the top one — then the documents of its checklist
(the guide's wording), the commercial and the grid reasons. Edited in the admin afterwards.

Written by the data migration 0012 and again after every `migrate` or `flush` (a post_migrate hook, as the
staff groups are): a database emptied by `flush` — the test suite's transactional tests — gets its catalogue
back. Only missing codes are added: a reason a curator edited or retired keeps what the curator made of it.
"""

GUIDE = "Cemig — Guia de micro e minigeração distribuída"
REASONS = [
    (
        "coordenadas-100m",
        "Coordenadas geográficas a mais de 100 m do endereço da unidade consumidora",
        f"{GUIDE} (orientações ao RT); Manual do Usuário APR Web",
    ),
    (
        "art-ausente",
        "ART/TRT do responsável técnico ausente, sem pagamento ou sem as atividades de projeto e execução",
        f"Lei 6.496/1977 art. 1º; {GUIDE}, item 1 da documentação",
    ),
    (
        "unifilar-incompleto",
        "Diagrama unifilar incompleto: faltam geração, proteção (inversor) ou medição",
        f"Cemig ND 5.30; {GUIDE}, item 2 da documentação",
    ),
    (
        "memorial-divergente",
        "Memorial descritivo divergente do pedido ou sem a planta de situação com o local do padrão de "
        "entrada",
        f"Cemig ND 5.1 e ND 5.2; {GUIDE}, item 2 da documentação",
    ),
    (
        "inversor-sem-inmetro",
        "Inversor sem certificado de conformidade ou registro no Inmetro para a tensão nominal de conexão",
        "PRODIST Módulo 3; Portaria Inmetro nº 140/2022; " + GUIDE + ", item 3 da documentação",
    ),
    (
        "potencia-divergente",
        "Potência instalada divergente entre o formulário, o memorial, o diagrama e os inversores",
        f"Cemig ND 5.30; {GUIDE}",
    ),
    (
        "titular-divergente",
        "Dados do titular divergentes do cadastro da unidade consumidora (nome, CPF/CNPJ)",
        f"REN 1.000/2021 (titularidade da unidade consumidora); {GUIDE}, documentos do titular",
    ),
    (
        "procuracao-ausente",
        "Procuração do titular ausente ou sem poderes para solicitar a conexão",
        f"{GUIDE}, documentos do titular e do representante legal",
    ),
    (
        "padrao-fora-nd",
        "Padrão de entrada em desacordo com a ND 5.1/5.2",
        "Cemig ND 5.1 e ND 5.2",
    ),
    (
        "documento-ilegivel",
        "Documento ilegível, digitalizado sem texto ou de outro projeto",
        "Manual do Usuário APR Web (envio de documentos)",
    ),
    (
        "rateio-ausente",
        "Lista de unidades participantes do sistema de compensação ausente ou sem os percentuais de rateio",
        f"Lei 14.300/2022; {GUIDE}, item 5 da documentação",
    ),
    (
        "telhado-coletivo",
        "Sem autorização do condomínio ou dos demais proprietários para uso do telhado coletivo",
        f"{GUIDE}, itens 11 e 12 da documentação",
    ),
    (
        "posse-imovel",
        "Ligação nova sem documento datado que comprove a propriedade ou posse do imóvel",
        f"{GUIDE}, documentação de ligação nova",
    ),
    (
        "categoria-potencia",
        "Potência incompatível com o motivo da solicitação (micro até 75 kW; mini acima de 75 kW)",
        "Lei 14.300/2022 art. 1º",
    ),
    (
        "gfc-ausente",
        "Garantia de fiel cumprimento (GFC) não comprovada para minigeração acima de 500 kW",
        "REN 1.000/2021 art. 655-C; Lei 14.300/2022 art. 4º",
    ),
    (
        "registro-aneel",
        "Dados para o registro da central geradora na ANEEL ausentes ou incompletos",
        f"{GUIDE}, item 4 da documentação",
    ),
    (
        "inversao-fluxo",
        "Inversão de fluxo de potência no posto de transformação, comprovada por estudo",
        "REN 1.000/2021 art. 73 e 73-A; PRODIST Módulo 3",
    ),
    (
        "rede-sem-capacidade",
        "Rede sem capacidade para a potência a injetar no ponto de conexão, sem obra viável no prazo",
        "PRODIST Módulo 3; REN 1.000/2021 (parecer de acesso)",
    ),
    (
        "ensaio-conversor",
        "Relatório de ensaio dos conversores ausente ou fora da língua portuguesa (minigeração)",
        f"PRODIST Módulo 3; {GUIDE}, item 4 da documentação de minigeração",
    ),
]


def ship_catalogue(model, using="default"):
    """Add the shipped reasons whose code is missing; never touch an existing one."""
    for position, (code, text, norm) in enumerate(REASONS, start=1):
        model.objects.using(using).get_or_create(
            code=code, defaults={"text": text, "norm_reference": norm, "position": position * 10}
        )
