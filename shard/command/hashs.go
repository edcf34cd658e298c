package command

func hashCommands() []*Spec {
	return nil
}
